import type { V1Container, V1Lifecycle, V1Probe, V1SecurityContext, V1VolumeMount } from '@kubernetes/client-node';
import type { MountValues, ProbeValues } from '../values/types.js';
import type { SidecarContext } from './context.js';
import { IDENTITY_END_ENTITY_DIR, PODINFO_DIR, PROJECTED_TOKEN_DIR, proxyEnv } from './proxy-env.js';
import { containerResources } from './resources.js';
import { END_ENTITY_VOLUME, PODINFO_VOLUME, TOKEN_VOLUME } from './volumes.js';
import { isSetValue } from '../values/present.js';

export const PROXY_CONTAINER_NAME = 'linkerd-proxy';
export const AWAIT_BINARY = '/usr/lib/linkerd/linkerd-await';

function httpProbe(path: string, port: number, settings: ProbeValues): V1Probe {
  const { initialDelaySeconds, periodSeconds, timeoutSeconds, failureThreshold } = settings;
  return {
    httpGet: { path, port },
    ...(initialDelaySeconds !== undefined ? { initialDelaySeconds } : {}),
    ...(periodSeconds !== undefined ? { periodSeconds } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(failureThreshold !== undefined ? { failureThreshold } : {}),
  };
}

export function copiedMount(mount: MountValues | null | undefined): V1VolumeMount[] {
  if (!isSetValue(mount)) return [];
  return [{ name: mount.name, mountPath: mount.mountPath, ...(mount.readOnly ? { readOnly: true } : {}) }];
}

function proxySecurityContext(ctx: SidecarContext): V1SecurityContext {
  const { proxy } = ctx.values;
  if (isSetValue(proxy.securityContext)) return proxy.securityContext;
  const caps = proxy.capabilities;
  const capabilities =
    caps && (caps.add?.length || caps.drop?.length)
      ? { ...(caps.add?.length ? { add: caps.add } : {}), ...(caps.drop?.length ? { drop: caps.drop } : {}) }
      : { drop: ['ALL'] };
  return {
    allowPrivilegeEscalation: false,
    capabilities,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: proxy.uid,
    ...(proxy.gid >= 0 ? { runAsGroup: proxy.gid } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function lifecycle(ctx: SidecarContext): V1Lifecycle | undefined {
  if (ctx.native) return undefined;
  const { proxy } = ctx.values;
  const out: V1Lifecycle = {};
  if (proxy.await) {
    out.postStart = { exec: { command: [AWAIT_BINARY, '--timeout=2m', `--port=${proxy.ports.admin}`] } };
  }
  if (proxy.waitBeforeExitSeconds > 0) {
    out.preStop = { exec: { command: ['/bin/sleep', String(proxy.waitBeforeExitSeconds)] } };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function volumeMounts(ctx: SidecarContext): V1VolumeMount[] {
  const { proxy, identity } = ctx.values;
  return [
    { mountPath: IDENTITY_END_ENTITY_DIR, name: END_ENTITY_VOLUME },
    ...(proxy.tracing?.enabled ? [{ mountPath: PODINFO_DIR, name: PODINFO_VOLUME }] : []),
    ...(identity.serviceAccountTokenProjection ? [{ mountPath: PROJECTED_TOKEN_DIR, name: TOKEN_VOLUME }] : []),
    ...copiedMount(proxy.saMountPath),
  ];
}

/** The `linkerd-proxy` container (inject.md §6.3). */
export function proxyContainer(ctx: SidecarContext): V1Container {
  const { proxy } = ctx.values;
  const admin = proxy.ports.admin;
  const resources = containerResources(proxy.resources);
  const hooks = lifecycle(ctx);
  return {
    name: PROXY_CONTAINER_NAME,
    image: `${ctx.proxyImage}:${ctx.proxyVersion}`,
    imagePullPolicy: ctx.proxyPullPolicy,
    env: proxyEnv(ctx),
    ports: [
      { containerPort: proxy.ports.inbound, name: 'linkerd-proxy' },
      { containerPort: admin, name: 'linkerd-admin' },
    ],
    livenessProbe: httpProbe('/live', admin, proxy.livenessProbe),
    readinessProbe: httpProbe('/ready', admin, proxy.readinessProbe),
    ...(ctx.native && proxy.await ? { startupProbe: httpProbe('/ready', admin, proxy.startupProbe) } : {}),
    ...(resources ? { resources } : {}),
    securityContext: proxySecurityContext(ctx),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    ...(hooks ? { lifecycle: hooks } : {}),
    volumeMounts: volumeMounts(ctx),
    ...(ctx.native ? { restartPolicy: 'Always' } : {}),
  };
}
