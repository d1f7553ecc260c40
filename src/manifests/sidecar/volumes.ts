import type { V1Volume } from '@kubernetes/client-node';
import type { SidecarContext } from './context.js';
import { PROJECTED_TOKEN_FILE } from './proxy-env.js';

export const XTABLES_LOCK_VOLUME = 'linkerd-proxy-init-xtables-lock';
export const END_ENTITY_VOLUME = 'linkerd-identity-end-entity';
export const PODINFO_VOLUME = 'linkerd-podinfo';
export const TOKEN_VOLUME = 'linkerd-identity-token';

/** Volumes the sidecar appends, in Linkerd's order (inject.md §6.7). */
export function sidecarVolumes(ctx: SidecarContext): V1Volume[] {
  const { cniEnabled, proxy, identity } = ctx.values;
  return [
    ...(cniEnabled ? [] : [{ name: ctx.values.proxyInit.xtMountPath?.name || XTABLES_LOCK_VOLUME, emptyDir: {} }]),
    { name: END_ENTITY_VOLUME, emptyDir: { medium: 'Memory' } },
    ...(proxy.tracing?.enabled
      ? [
          {
            name: PODINFO_VOLUME,
            downwardAPI: {
              items: [
                { fieldRef: { fieldPath: 'metadata.labels' }, path: 'labels' },
                { fieldRef: { fieldPath: 'metadata.annotations' }, path: 'annotations' },
              ],
            },
          },
        ]
      : []),
    ...(identity.serviceAccountTokenProjection
      ? [
          {
            name: TOKEN_VOLUME,
            projected: {
              sources: [
                {
                  serviceAccountToken: {
                    audience: 'identity.l5d.io',
                    expirationSeconds: 86400,
                    path: PROJECTED_TOKEN_FILE,
                  },
                },
              ],
            },
          },
        ]
      : []),
  ];
}
