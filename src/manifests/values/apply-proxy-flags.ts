/** Pure application of the shared proxy flags (install.md §3.2, inject.md §2.2) to a values tree. */
import { DEFAULT_REGISTRY } from './defaults.js';
import { cloneTree } from './merge.js';
import {
  DEFAULT_INBOUND_POLICIES,
  PULL_POLICIES,
  validatePortList,
  validateProxyLogLevel,
} from './proxy-validation.js';
import { parseQuantity, wholeCores } from './quantity.js';
import type { Values } from './types.js';

/** The proxy flags the user explicitly set (flags left out never touch the values). */
export interface ProxyFlagValues {
  proxyImage?: string;
  imagePullPolicy?: string;
  inboundPort?: number;
  outboundPort?: number;
  skipInboundPorts?: readonly string[];
  skipOutboundPorts?: readonly string[];
  proxyUid?: number;
  proxyGid?: number;
  proxyLogLevel?: string;
  controlPort?: number;
  adminPort?: number;
  proxyCpuRequest?: string;
  proxyMemoryRequest?: string;
  proxyCpuLimit?: string;
  proxyMemoryLimit?: string;
  enableExternalProfiles?: boolean;
  defaultInboundPolicy?: string;
  /** `--registry`, or `LINKERD_DOCKER_REGISTRY` (which counts as set). */
  registry?: string;
  /** Deprecated `--proxy-memory`. */
  proxyMemory?: string;
  /** Deprecated `--proxy-cpu` (no worker minimum, unlike `--proxy-cpu-request`). */
  proxyCpu?: string;
  /** Deprecated `-v/--proxy-version`. */
  proxyVersion?: string;
}

export { DEFAULT_REGISTRY };

/** `<registry>/<last path segment of image>`, as Linkerd's `--registry` rewrites image names. */
export function withRegistry(image: string, registry: string): string {
  return `${registry.replace(/\/+$/, '')}/${image.slice(image.lastIndexOf('/') + 1)}`;
}

function quantity(kind: 'cpu' | 'memory', which: 'request' | 'limit', text: string): number {
  const q = parseQuantity(text);
  if (q === undefined) throw new Error(`Invalid ${kind} ${which} '${text}' for --proxy-${kind}-${which} flag`);
  return q;
}

function joinPorts(ports: readonly string[]): string {
  const list = ports.join(',');
  validatePortList(list);
  return list;
}

/**
 * Returns new values with the given flags applied, in Linkerd's flag order, validating each flag's
 * input with the messages of install.md §6. Throws on the first invalid flag.
 */
export function applyProxyFlags(base: Values, flags: ProxyFlagValues): Values {
  const v = cloneTree(base);
  const { proxy } = v;
  const cpu = (proxy.resources.cpu ??= {});
  const memory = (proxy.resources.memory ??= {});
  if (flags.proxyImage !== undefined) proxy.image.name = flags.proxyImage;
  if (flags.imagePullPolicy !== undefined) {
    if (!(PULL_POLICIES as readonly string[]).includes(flags.imagePullPolicy)) {
      throw new Error('--image-pull-policy must be one of: Always, IfNotPresent, Never');
    }
    v.imagePullPolicy = flags.imagePullPolicy;
    proxy.image.pullPolicy = flags.imagePullPolicy;
    v.debugContainer.image.pullPolicy = flags.imagePullPolicy;
  }
  if (flags.inboundPort !== undefined) proxy.ports.inbound = flags.inboundPort;
  if (flags.outboundPort !== undefined) proxy.ports.outbound = flags.outboundPort;
  if (flags.skipInboundPorts !== undefined) v.proxyInit.ignoreInboundPorts = joinPorts(flags.skipInboundPorts);
  if (flags.skipOutboundPorts !== undefined) v.proxyInit.ignoreOutboundPorts = joinPorts(flags.skipOutboundPorts);
  if (flags.proxyUid !== undefined) proxy.uid = flags.proxyUid;
  if (flags.proxyGid !== undefined) proxy.gid = flags.proxyGid;
  if (flags.proxyLogLevel !== undefined) {
    validateProxyLogLevel(flags.proxyLogLevel);
    proxy.logLevel = flags.proxyLogLevel;
  }
  if (flags.controlPort !== undefined) proxy.ports.control = flags.controlPort;
  if (flags.adminPort !== undefined) proxy.ports.admin = flags.adminPort;
  if (flags.proxyCpuRequest !== undefined) {
    proxy.runtime.workers.minimum = wholeCores(quantity('cpu', 'request', flags.proxyCpuRequest));
    cpu.request = flags.proxyCpuRequest;
  }
  if (flags.proxyMemoryRequest !== undefined) {
    quantity('memory', 'request', flags.proxyMemoryRequest);
    memory.request = flags.proxyMemoryRequest;
  }
  if (flags.proxyCpuLimit !== undefined) {
    proxy.runtime.workers.maximum = wholeCores(quantity('cpu', 'limit', flags.proxyCpuLimit));
    cpu.limit = flags.proxyCpuLimit;
  }
  if (flags.proxyMemoryLimit !== undefined) {
    quantity('memory', 'limit', flags.proxyMemoryLimit);
    memory.limit = flags.proxyMemoryLimit;
  }
  if (flags.enableExternalProfiles !== undefined) proxy.enableExternalProfiles = flags.enableExternalProfiles;
  if (flags.defaultInboundPolicy !== undefined) {
    if (!(DEFAULT_INBOUND_POLICIES as readonly string[]).includes(flags.defaultInboundPolicy)) {
      throw new Error(
        `--default-inbound-policy must be one of: ${DEFAULT_INBOUND_POLICIES.join(', ')} (got ${flags.defaultInboundPolicy})`,
      );
    }
    proxy.defaultInboundPolicy = flags.defaultInboundPolicy;
  }
  if (flags.registry !== undefined) {
    v.controllerImage = withRegistry(v.controllerImage, flags.registry);
    v.debugContainer.image.name = withRegistry(v.debugContainer.image.name, flags.registry);
    proxy.image.name = withRegistry(proxy.image.name, flags.registry);
  }
  if (flags.proxyMemory !== undefined) {
    quantity('memory', 'request', flags.proxyMemory);
    memory.request = flags.proxyMemory;
  }
  if (flags.proxyCpu !== undefined) {
    quantity('cpu', 'request', flags.proxyCpu);
    cpu.request = flags.proxyCpu;
  }
  if (flags.proxyVersion !== undefined) proxy.image.version = flags.proxyVersion;
  return v;
}
