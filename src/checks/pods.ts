import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

export type Pod = V1Pod;

function containerReason(status: V1ContainerStatus): string | undefined {
  const { waiting, terminated } = status.state ?? {};
  if (waiting?.reason) return waiting.reason;
  if (terminated?.reason) return terminated.reason;
  if (terminated) return terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
  return undefined;
}

/** The STATUS column of `kubectl get pods` (Init:…, CrashLoopBackOff, Completed, Terminating, …). */
export function podStatus(pod: Pod): string {
  let reason = pod.status?.reason || pod.status?.phase || '';
  const inits = pod.status?.initContainerStatuses ?? [];
  const initTotal = pod.spec?.initContainers?.length ?? 0;
  let initializing = false;
  for (const [i, c] of inits.entries()) {
    const { waiting, terminated } = c.state ?? {};
    if (terminated && terminated.exitCode === 0) continue;
    // Native sidecars (restartPolicy Always) that run are fine.
    if (c.started && pod.spec?.initContainers?.[i]?.restartPolicy === 'Always') continue;
    initializing = true;
    if (terminated) {
      reason = `Init:${terminated.reason || (terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`)}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initTotal}`;
    }
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    for (const c of [...(pod.status?.containerStatuses ?? [])].reverse()) {
      const r = containerReason(c);
      if (r !== undefined) reason = r;
      else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata?.deletionTimestamp) reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

const IGNORED_STATUSES = new Set(['Completed', 'NodeShutdown', 'Shutdown', 'Terminated']);
export const PROXY_CONTAINER = 'linkerd-proxy';

function proxyStatus(pod: Pod): V1ContainerStatus | undefined {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find(
    (c) => c.name === PROXY_CONTAINER,
  );
}

/** Upstream's pod-running rules for meshed pods (check.md §3.14). */
export function checkPodsRunning(pods: readonly Pod[], namespace: string): void {
  if (pods.length === 0) {
    throw new Error(`no "${PROXY_CONTAINER}" containers found${namespace ? ` in the "${namespace}" namespace` : ''}`);
  }
  for (const pod of pods) {
    const status = podStatus(pod);
    if (IGNORED_STATUSES.has(status)) continue;
    const name = pod.metadata?.name ?? '';
    if (status !== 'Running' && status !== 'Evicted')
      throw new Error(`pod "${name}" status is ${pod.status?.phase ?? ''}`);
    if (proxyStatus(pod)?.ready !== true) {
      throw new Error(`container "${PROXY_CONTAINER}" in pod "${name}" is not ready`);
    }
  }
}

/** Tag of the `linkerd-proxy` image (empty when pinned by digest). */
export function proxyVersion(pod: Pod): string {
  const container = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (c) => c.name === PROXY_CONTAINER,
  );
  const image = container?.image ?? '';
  if (image.includes('@')) return '';
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(colon + 1) : '';
}
