import type { V1EnvVar } from '@kubernetes/client-node';
import type { Values } from '../values/types.js';
import { isPlainObject, type JsonObject } from './json.js';
import { mergeEnvByName } from '../sidecar/index.js';
import { parseQuantity, wholeCores } from '../values/quantity.js';
import { goDurationNanos } from '../../util/go-duration.js';
import { canonicalQuantity } from './units.js';

const C = 'config.linkerd.io/';
const ALPHA = 'config.alpha.linkerd.io/';
const BETA = 'config.beta.linkerd.io/';

/**
 * Annotations a namespace passes on to its pods when the pod lacks them (inject.md §6.10 "Inh.").
 * `linkerd.io/inject` is inherited too, but by the webhook's decision logic, not as configuration.
 */
export const INHERITABLE_ANNOTATIONS: readonly string[] = [
  `${C}proxy-image`,
  `${C}proxy-version`,
  `${C}image-pull-policy`,
  `${C}admin-port`,
  `${C}control-port`,
  `${C}inbound-port`,
  `${C}outbound-port`,
  `${C}pod-inbound-ports`,
  `${C}proxy-admin-shutdown`,
  `${C}proxy-log-level`,
  `${C}proxy-log-format`,
  `${C}proxy-log-http-headers`,
  `${C}proxy-require-identity-inbound-ports`,
  `${C}proxy-metrics-hostname-labels`,
  `${C}proxy-outbound-connect-timeout`,
  `${C}proxy-inbound-connect-timeout`,
  `${C}proxy-outbound-discovery-cache-unused-timeout`,
  `${C}proxy-inbound-discovery-cache-unused-timeout`,
  `${C}proxy-disable-outbound-protocol-detect-timeout`,
  `${C}proxy-disable-inbound-protocol-detect-timeout`,
  `${C}shutdown-grace-period`,
  `${ALPHA}proxy-wait-before-exit-seconds`,
  `${C}proxy-enable-native-sidecar`,
  `${ALPHA}proxy-enable-native-sidecar`,
  `${C}proxy-cpu-request`,
  `${C}proxy-cpu-limit`,
  `${C}proxy-memory-request`,
  `${C}proxy-memory-limit`,
  `${C}proxy-ephemeral-storage-request`,
  `${C}proxy-ephemeral-storage-limit`,
  `${C}proxy-uid`,
  `${C}proxy-gid`,
  `${C}enable-external-profiles`,
  `${C}skip-inbound-ports`,
  `${C}skip-outbound-ports`,
  `${C}skip-subnets`,
  `${C}opaque-ports`,
  `${C}enable-debug-sidecar`,
  `${C}proxy-await`,
  `${C}default-inbound-policy`,
  `${C}access-log`,
];

const INBOUND_POLICIES = new Set([
  'all-unauthenticated',
  'all-authenticated',
  'cluster-unauthenticated',
  'cluster-authenticated',
  'deny',
  'audit',
]);

export type Warn = (message: string) => void;

/**
 * Pod annotations overlaid with the namespace's inheritable ones (pod wins). The webhook feeds this to
 * `applyConfigAnnotations`; the CLI passes the pod's annotations only.
 */
export function withNamespaceDefaults(
  pod: Readonly<Record<string, string>>,
  namespace: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged = { ...pod };
  for (const key of INHERITABLE_ANNOTATIONS) {
    if (!Object.hasOwn(merged, key) && Object.hasOwn(namespace, key)) merged[key] = namespace[key]!;
  }
  return merged;
}

function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (['1', 't', 'true'].includes(t)) return true;
  if (['0', 'f', 'false'].includes(t)) return false;
  return undefined;
}

function parseInteger(text: string): number | undefined {
  return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** Named container ports of the pod (init and app containers), for `opaque-ports` entries like `mysql`. */
function containerPortsByName(podSpec: JsonObject | undefined): Map<string, number> {
  const byName = new Map<string, number>();
  for (const field of ['initContainers', 'containers']) {
    const list = podSpec?.[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const ports = isPlainObject(c) ? c.ports : undefined;
      if (!Array.isArray(ports)) continue;
      for (const p of ports) {
        if (isPlainObject(p) && typeof p.name === 'string' && typeof p.containerPort === 'number') {
          byName.set(p.name, p.containerPort);
        }
      }
    }
  }
  return byName;
}

/** `3306,5000-6000,mysql` → ports and ranges kept, names resolved against the pod, the rest dropped. */
export function resolveOpaquePorts(list: string, podSpec: JsonObject | undefined): string {
  const named = containerPortsByName(podSpec);
  const out: string[] = [];
  for (const raw of list.split(',')) {
    const entry = raw.trim();
    if (/^\d+$/.test(entry) && Number(entry) <= 65535) out.push(entry);
    else if (/^\d+-\d+$/.test(entry)) {
      const [lo, hi] = entry.split('-').map(Number) as [number, number];
      if (lo <= hi && hi <= 65535) out.push(entry);
    } else if (named.has(entry)) out.push(String(named.get(entry)));
  }
  return out.join(',');
}

function parseEnvList(text: string): V1EnvVar[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((e) => isPlainObject(e) && typeof e.name === 'string')
      ? (parsed as V1EnvVar[])
      : undefined;
  } catch {
    return undefined;
  }
}

function isConfigAnnotation(key: string): boolean {
  return key.startsWith(C) || key.startsWith(ALPHA) || key.startsWith(BETA) || key === 'linkerd.io/inject';
}

/**
 * Applies `config.linkerd.io/*` (and alpha/beta) pod annotations to a copy of `values` (inject.md §6.10);
 * without any such annotation `base` itself comes back (most workloads: cloning the values dominated).
 * Values that do not parse are ignored with a warning, as upstream does. `namespaceAdditionalEnv` is
 * the namespace's `proxy-additional-env`, merged between the chart's and the pod's.
 */
export function applyConfigAnnotations(
  base: Values,
  annotations: Readonly<Record<string, string>>,
  podSpec: JsonObject | undefined,
  warn: Warn = () => {},
  namespaceAdditionalEnv?: string,
): Values {
  if (namespaceAdditionalEnv === undefined && !Object.keys(annotations).some(isConfigAnnotation)) return base;
  const values = structuredClone(base);
  const proxy = values.proxy;
  const get = (key: string): string | undefined => annotations[key];
  const withValue = (key: string, apply: (text: string) => void): void => {
    const text = get(key);
    if (text !== undefined) apply(text);
  };
  const typed = <T>(key: string, parse: (t: string) => T | undefined, apply: (v: T) => void): void =>
    withValue(key, (text) => {
      const v = parse(text);
      if (v === undefined) warn(`unrecognized value "${text}" for annotation ${key}; ignoring it`);
      else apply(v);
    });
  const milliseconds = (t: string): string | undefined => {
    const ns = goDurationNanos(t);
    return ns === undefined ? undefined : `${Math.floor(ns / 1e6)}ms`;
  };
  const seconds = (t: string): string | undefined => {
    const ns = goDurationNanos(t);
    return ns === undefined ? undefined : `${Math.floor(ns / 1e9)}s`;
  };
  const quantity = (t: string): string | undefined =>
    parseQuantity(t) === undefined ? undefined : canonicalQuantity(t);

  if (get('linkerd.io/inject') === 'ingress') proxy.isIngress = true;
  withValue(`${C}proxy-image`, (t) => (proxy.image.name = t));
  withValue(`${C}proxy-version`, (t) => (proxy.image.version = t));
  withValue(`${C}image-pull-policy`, (t) => (proxy.image.pullPolicy = t));
  for (const port of ['admin', 'control', 'inbound', 'outbound'] as const) {
    typed(`${C}${port}-port`, parseInteger, (v) => (proxy.ports[port] = v));
  }
  typed(
    `${C}proxy-admin-shutdown`,
    (t) => (t === 'enabled' ? true : t === 'disabled' ? false : undefined),
    (v) => (proxy.enableShutdownEndpoint = v),
  );
  withValue(`${C}proxy-log-level`, (t) => (proxy.logLevel = t));
  withValue(`${C}proxy-log-format`, (t) => (proxy.logFormat = t));
  withValue(`${C}proxy-log-http-headers`, (t) => (proxy.logHTTPHeaders = t));
  withValue(`${C}proxy-require-identity-inbound-ports`, (t) => (proxy.requireIdentityOnInboundPorts = t));
  typed(`${C}proxy-metrics-hostname-labels`, parseBool, (v) => (proxy.metrics.hostnameLabels = v));
  typed(`${C}proxy-outbound-connect-timeout`, milliseconds, (v) => (proxy.outboundConnectTimeout = v));
  typed(`${C}proxy-inbound-connect-timeout`, milliseconds, (v) => (proxy.inboundConnectTimeout = v));
  typed(
    `${C}proxy-outbound-discovery-cache-unused-timeout`,
    seconds,
    (v) => (proxy.outboundDiscoveryCacheUnusedTimeout = v),
  );
  typed(
    `${C}proxy-inbound-discovery-cache-unused-timeout`,
    seconds,
    (v) => (proxy.inboundDiscoveryCacheUnusedTimeout = v),
  );
  typed(
    `${C}proxy-disable-outbound-protocol-detect-timeout`,
    parseBool,
    (v) => (proxy.disableOutboundProtocolDetectTimeout = v),
  );
  typed(
    `${C}proxy-disable-inbound-protocol-detect-timeout`,
    parseBool,
    (v) => (proxy.disableInboundProtocolDetectTimeout = v),
  );
  typed(`${C}shutdown-grace-period`, milliseconds, (v) => (proxy.shutdownGracePeriod = v));
  typed(`${C}enable-gateway`, parseBool, (v) => (proxy.isGateway = v));
  typed(
    `${ALPHA}proxy-wait-before-exit-seconds`,
    (t) => (/^\d+$/.test(t.trim()) ? Number(t) : undefined),
    (v) => (proxy.waitBeforeExitSeconds = v),
  );
  // The stable annotation wins over the deprecated beta and alpha ones.
  for (const key of [
    `${ALPHA}proxy-enable-native-sidecar`,
    `${BETA}proxy-enable-native-sidecar`,
    `${C}proxy-enable-native-sidecar`,
  ]) {
    typed(key, parseBool, (v) => (proxy.nativeSidecar = v));
  }
  for (const resource of ['cpu', 'memory', 'ephemeral-storage'] as const) {
    for (const bound of ['request', 'limit'] as const) {
      typed(`${C}proxy-${resource}-${bound}`, quantity, (v) => {
        proxy.resources[resource] = { ...(proxy.resources[resource] ?? {}), [bound]: v };
        if (resource === 'cpu') {
          const cores = wholeCores(parseQuantity(v)!);
          if (bound === 'request') proxy.runtime.workers.minimum = cores;
          else proxy.runtime.workers.maximum = cores;
        }
      });
    }
  }
  typed(
    `${C}proxy-cpu-ratio-limit`,
    (t) => {
      const n = Number(t);
      return t.trim() !== '' && n > 0 && n < 1 ? n : undefined;
    },
    (v) => (proxy.runtime.workers.maximumCPURatio = v),
  );
  typed(`${C}proxy-uid`, parseInteger, (v) => (proxy.uid = v));
  typed(`${C}proxy-gid`, parseInteger, (v) => (proxy.gid = v));
  typed(`${C}enable-external-profiles`, parseBool, (v) => (proxy.enableExternalProfiles = v));
  withValue(`${C}skip-inbound-ports`, (t) => (values.proxyInit.ignoreInboundPorts = t));
  withValue(`${C}skip-outbound-ports`, (t) => (values.proxyInit.ignoreOutboundPorts = t));
  withValue(`${C}skip-subnets`, (t) => (values.proxyInit.skipSubnets = t));
  withValue(`${C}opaque-ports`, (t) => (proxy.opaquePorts = resolveOpaquePorts(t, podSpec)));
  withValue(`${C}debug-image`, (t) => (values.debugContainer.image.name = t));
  withValue(`${C}debug-image-version`, (t) => (values.debugContainer.image.version = t));
  withValue(`${C}debug-image-pull-policy`, (t) => (values.debugContainer.image.pullPolicy = t));
  typed(
    `${C}close-wait-timeout`,
    (t) => {
      const ns = goDurationNanos(t);
      return ns === undefined ? undefined : Math.floor(ns / 1e9);
    },
    (v) => (values.proxyInit.closeWaitTimeoutSecs = v),
  );
  typed(
    `${C}proxy-await`,
    (t) => (t === 'enabled' ? true : t === 'disabled' ? false : undefined),
    (v) => (proxy.await = v),
  );
  typed(
    `${C}default-inbound-policy`,
    (t) => (INBOUND_POLICIES.has(t) ? t : undefined),
    (v) => (proxy.defaultInboundPolicy = v),
  );
  withValue(`${C}access-log`, (t) => (proxy.accessLog = t));
  for (const text of [namespaceAdditionalEnv, get(`${C}proxy-additional-env`)]) {
    if (text === undefined) continue;
    const env = parseEnvList(text);
    if (env === undefined) warn(`invalid JSON in annotation ${C}proxy-additional-env; ignoring it`);
    else proxy.additionalEnv = mergeEnvByName(proxy.additionalEnv, env);
  }
  return values;
}

/** Whether the pod asks for the debug container (`config.linkerd.io/enable-debug-sidecar`). */
export function wantsDebugSidecar(annotations: Readonly<Record<string, string>>): boolean {
  const text = annotations[`${C}enable-debug-sidecar`];
  return text !== undefined && parseBool(text) === true;
}
