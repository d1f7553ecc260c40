/** oclif definitions of the proxy flags shared by `install`, `upgrade` and `inject` (CLI-only module). */
import { Flags } from '@oclif/core';
import { L5D_VERSION } from '../../version.js';
import type { ProxyFlagValues } from './apply-proxy-flags.js';
import { DEFAULT_PROXY_IMAGE, DEFAULT_PROXY_LOG_LEVEL, DEFAULT_REGISTRY } from './defaults.js';

// No oclif defaults on purpose: a flag only changes the values when given, so "unset" must stay visible.
const releaseBuild = /^(edge|stable)-/.test(L5D_VERSION);

export const proxyFlags = {
  'proxy-image': Flags.string({
    description: `Linkerd proxy container image name (default ${DEFAULT_PROXY_IMAGE})`,
    hidden: releaseBuild,
  }),
  'image-pull-policy': Flags.string({
    description: 'Docker image pull policy (default IfNotPresent)',
    hidden: releaseBuild,
  }),
  'inbound-port': Flags.integer({
    min: 0,
    max: 65535,
    description: 'Proxy port to use for inbound traffic (default 4143)',
  }),
  'outbound-port': Flags.integer({
    min: 0,
    max: 65535,
    description: 'Proxy port to use for outbound traffic (default 4140)',
  }),
  'skip-inbound-ports': Flags.string({
    multiple: true,
    delimiter: ',',
    description: 'Ports and/or port ranges (inclusive) that should skip the proxy and send directly to the application',
  }),
  'skip-outbound-ports': Flags.string({
    multiple: true,
    delimiter: ',',
    description: 'Outbound ports and/or port ranges (inclusive) that should skip the proxy',
  }),
  'proxy-uid': Flags.integer({ description: 'Run the proxy under this user ID (default 2102)' }),
  'proxy-gid': Flags.integer({ description: 'Run the proxy under this group ID (default -1: unset)' }),
  'proxy-log-level': Flags.string({ description: `Log level for the proxy (default ${DEFAULT_PROXY_LOG_LEVEL})` }),
  'control-port': Flags.integer({ min: 0, max: 65535, description: 'Proxy port to use for control (default 4190)' }),
  'admin-port': Flags.integer({ min: 0, max: 65535, description: 'Proxy port to serve metrics on (default 4191)' }),
  'proxy-cpu-request': Flags.string({ description: 'Amount of CPU units that the proxy sidecar requests' }),
  'proxy-memory-request': Flags.string({ description: 'Amount of Memory that the proxy sidecar requests' }),
  'proxy-cpu-limit': Flags.string({ description: 'Maximum amount of CPU units that the proxy sidecar can use' }),
  'proxy-memory-limit': Flags.string({ description: 'Maximum amount of Memory that the proxy sidecar can use' }),
  'enable-external-profiles': Flags.boolean({ description: 'Enable service profiles for non-Kubernetes services' }),
  'default-inbound-policy': Flags.string({
    description: 'Inbound policy to use to control inbound access to the proxy (default all-unauthenticated)',
  }),
  registry: Flags.string({
    env: 'LINKERD_DOCKER_REGISTRY',
    description: `Docker registry to pull images from (default ${DEFAULT_REGISTRY}) ($LINKERD_DOCKER_REGISTRY)`,
  }),
  'proxy-memory': Flags.string({
    description: 'Amount of Memory that the proxy sidecar requests',
    deprecated: { to: 'proxy-memory-request' },
  }),
  'proxy-cpu': Flags.string({
    description: 'Amount of CPU units that the proxy sidecar requests',
    deprecated: { to: 'proxy-cpu-request' },
  }),
  'proxy-version': Flags.string({
    char: 'v',
    description: 'Tag to be used for the Linkerd proxy images (default: the CLI version)',
    hidden: releaseBuild,
    deprecated: { message: 'use --set proxy.image.version=<version>' },
  }),
};

type ParsedProxyFlags = { [K in keyof typeof proxyFlags]?: unknown };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : undefined);

/** The explicitly set proxy flags from oclif's parsed flags (oclif leaves absent flags undefined). */
export function proxyFlagValues(flags: ParsedProxyFlags): ProxyFlagValues {
  const out: ProxyFlagValues = {
    proxyImage: str(flags['proxy-image']),
    imagePullPolicy: str(flags['image-pull-policy']),
    inboundPort: num(flags['inbound-port']),
    outboundPort: num(flags['outbound-port']),
    skipInboundPorts: list(flags['skip-inbound-ports']),
    skipOutboundPorts: list(flags['skip-outbound-ports']),
    proxyUid: num(flags['proxy-uid']),
    proxyGid: num(flags['proxy-gid']),
    proxyLogLevel: str(flags['proxy-log-level']),
    controlPort: num(flags['control-port']),
    adminPort: num(flags['admin-port']),
    proxyCpuRequest: str(flags['proxy-cpu-request']),
    proxyMemoryRequest: str(flags['proxy-memory-request']),
    proxyCpuLimit: str(flags['proxy-cpu-limit']),
    proxyMemoryLimit: str(flags['proxy-memory-limit']),
    enableExternalProfiles: flags['enable-external-profiles'] === true ? true : undefined,
    defaultInboundPolicy: str(flags['default-inbound-policy']),
    registry: str(flags.registry),
    proxyMemory: str(flags['proxy-memory']),
    proxyCpu: str(flags['proxy-cpu']),
    proxyVersion: str(flags['proxy-version']),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as ProxyFlagValues;
}
