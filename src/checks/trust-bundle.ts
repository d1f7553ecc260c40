import type { KubeApi } from './kube-api.js';
import { getRaw } from './kube-api.js';
import { PROXY_CONTAINER, type Pod } from './pods.js';

const TRUST_ANCHORS_ENV = 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS';

/**
 * Meshed pods outside the control plane whose proxy carries another trust bundle than
 * `<cp>/linkerd-identity-trust-roots`; they must be restarted to pick up the current one.
 */
export async function checkTrustBundles(
  kube: KubeApi,
  controlPlaneNamespace: string,
  pods: readonly Pod[],
  namespaceGiven: boolean,
  signal?: AbortSignal,
): Promise<void> {
  const cm = await getRaw<{ data?: Record<string, string> }>(
    kube,
    `/api/v1/namespaces/${controlPlaneNamespace}/configmaps/linkerd-identity-trust-roots`,
    signal,
  );
  const current = (cm.data?.['ca-bundle.crt'] ?? '').trim();
  const stale = pods.filter((pod) => {
    if (pod.metadata?.namespace === controlPlaneNamespace) return false;
    const proxy = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
      (c) => c.name === PROXY_CONTAINER,
    );
    const bundle = proxy?.env?.find((e) => e.name === TRUST_ANCHORS_ENV)?.value;
    return bundle !== undefined && bundle.trim() !== current;
  });
  if (stale.length === 0) return;
  const lines = stale.map(
    (p) => `\n\t* ${namespaceGiven ? '' : `${p.metadata?.namespace ?? ''}/`}${p.metadata?.name ?? ''}`,
  );
  throw new Error(`Some pods do not have the current trust bundle and must be restarted:${lines.join('')}`);
}
