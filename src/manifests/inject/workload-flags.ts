import type { Values } from '../values/types.js';

/** Linkerd's inject flags that were explicitly given (inject.md §2.2, `makeInjectFlags`). */
export interface WorkloadFlagValues {
  nativeSidecar?: boolean;
  waitBeforeExitSeconds?: number;
  disableIdentity?: boolean;
  requireIdentityOnInboundPorts?: readonly string[];
  ingress?: boolean;
  opaquePorts?: readonly string[];
}

/** Applies the given inject flags to a copy of `base`. */
export function applyWorkloadFlags(base: Values, flags: WorkloadFlagValues): Values {
  if (flags.disableIdentity) throw new Error('--disable-identity is no longer supported; identity is always required');
  const values = structuredClone(base);
  const proxy = values.proxy;
  if (flags.nativeSidecar !== undefined) proxy.nativeSidecar = flags.nativeSidecar;
  if (flags.waitBeforeExitSeconds !== undefined) proxy.waitBeforeExitSeconds = flags.waitBeforeExitSeconds;
  if (flags.requireIdentityOnInboundPorts !== undefined) {
    proxy.requireIdentityOnInboundPorts = flags.requireIdentityOnInboundPorts.join(',');
  }
  if (flags.ingress) proxy.isIngress = true;
  if (flags.opaquePorts !== undefined) proxy.opaquePorts = flags.opaquePorts.join(',');
  return values;
}
