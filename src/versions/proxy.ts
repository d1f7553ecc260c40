import type { KubeClient } from '../kube/client.js';
import type { KubeList } from '../kube/types.js';

interface Container {
  name: string;
  image?: string;
}
interface Pod {
  spec?: { containers?: Container[]; initContainers?: Container[] };
}

export interface ProxyVersionCount {
  version: string;
  pods: number;
}

/** Version tag of an image reference; digest-pinned images have none. */
export function imageTag(image: string): string {
  if (image.includes('@')) return '';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > lastSlash ? image.slice(colon + 1) : '';
}

/** Distinct `linkerd-proxy` image versions among meshed pods (label `linkerd.io/control-plane-ns=<ns>`). */
export async function fetchProxyVersions(
  client: KubeClient,
  controlPlaneNamespace: string,
  podNamespace: string,
): Promise<ProxyVersionCount[] | undefined> {
  try {
    const base = podNamespace ? `/api/v1/namespaces/${podNamespace}/pods` : '/api/v1/pods';
    const pods = await client.request<KubeList<Pod>>({
      path: base,
      query: { labelSelector: `linkerd.io/control-plane-ns=${controlPlaneNamespace}` },
      timeoutMs: 10_000,
    });
    const counts = new Map<string, number>();
    for (const pod of pods.items) {
      const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
      const proxy = containers.find((c) => c.name === 'linkerd-proxy');
      if (!proxy?.image) continue;
      const version = imageTag(proxy.image);
      counts.set(version, (counts.get(version) ?? 0) + 1);
    }
    if (counts.size === 0) return undefined;
    return [...counts].map(([version, n]) => ({ version, pods: n }));
  } catch {
    return undefined;
  }
}
