import type { Values } from '../values/types.js';

const C = 'config.linkerd.io/';

type Read = (v: Values) => string | number | boolean | undefined;

/** (annotation, value reader) pairs of inject.md §2.3, in Linkerd's order. */
const OVERRIDES: readonly [string, Read][] = [
  [`${C}proxy-version`, (v) => v.proxy.image.version],
  [`${C}skip-inbound-ports`, (v) => v.proxyInit.ignoreInboundPorts],
  [`${C}skip-outbound-ports`, (v) => v.proxyInit.ignoreOutboundPorts],
  [`${C}admin-port`, (v) => v.proxy.ports.admin],
  [`${C}control-port`, (v) => v.proxy.ports.control],
  [`${C}inbound-port`, (v) => v.proxy.ports.inbound],
  [`${C}outbound-port`, (v) => v.proxy.ports.outbound],
  [`${C}opaque-ports`, (v) => v.proxy.opaquePorts],
  [`${C}proxy-image`, (v) => v.proxy.image.name],
  [`${C}debug-image`, (v) => v.debugContainer.image.name],
  [`${C}debug-image-version`, (v) => v.debugContainer.image.version],
  [`${C}image-pull-policy`, (v) => v.proxy.image.pullPolicy],
  [`${C}proxy-uid`, (v) => v.proxy.uid],
  [`${C}proxy-log-level`, (v) => v.proxy.logLevel],
  [`${C}proxy-log-format`, (v) => v.proxy.logFormat],
  [`${C}proxy-require-identity-inbound-ports`, (v) => v.proxy.requireIdentityOnInboundPorts],
  [`${C}enable-external-profiles`, (v) => v.proxy.enableExternalProfiles],
  [`${C}proxy-metrics-hostname-labels`, (v) => v.proxy.metrics.hostnameLabels],
  [`${C}proxy-cpu-request`, (v) => v.proxy.resources.cpu?.request],
  [`${C}proxy-cpu-limit`, (v) => v.proxy.resources.cpu?.limit],
  [`${C}proxy-memory-request`, (v) => v.proxy.resources.memory?.request],
  [`${C}proxy-memory-limit`, (v) => v.proxy.resources.memory?.limit],
  ['config.alpha.linkerd.io/proxy-wait-before-exit-seconds', (v) => v.proxy.waitBeforeExitSeconds],
  [`${C}proxy-await`, (v) => (v.proxy.await ? 'enabled' : 'disabled')],
  [`${C}default-inbound-policy`, (v) => v.proxy.defaultInboundPolicy],
  [`${C}access-log`, (v) => v.proxy.accessLog],
  [`${C}shutdown-grace-period`, (v) => v.proxy.shutdownGracePeriod],
  [`${C}proxy-enable-native-sidecar`, (v) => v.proxy.nativeSidecar],
];

/**
 * Annotations recording every setting in which `configured` (base + flags) differs from `base`
 * (inject.md §2.3): what the proxy injector needs to reproduce the flags at pod creation.
 */
export function overrideAnnotations(base: Values, configured: Values): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [annotation, read] of OVERRIDES) {
    const now = read(configured);
    if (now !== read(base) && now !== undefined) out[annotation] = String(now);
  }
  // A group id only means something once it is non-negative.
  const gid = configured.proxy.gid;
  if (gid >= 0 && gid !== base.proxy.gid) out[`${C}proxy-gid`] = String(gid);
  if (configured.proxy.isIngress && !base.proxy.isIngress) out['linkerd.io/inject'] = 'ingress';
  return out;
}
