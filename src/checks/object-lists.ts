import { getRaw, type KubeApi } from './kube-api.js';

/** Label selector of control-plane objects (CNI resources excluded). */
export const CONTROL_PLANE_SELECTOR = 'linkerd.io/control-plane-ns,!linkerd.io/cni-resource';

interface Named {
  metadata: { name?: string };
}

export async function listItems<T>(
  kube: KubeApi,
  path: string,
  labelSelector?: string,
  signal?: AbortSignal,
): Promise<T[]> {
  const query = labelSelector === undefined ? '' : `?labelSelector=${encodeURIComponent(labelSelector)}`;
  return (await getRaw<{ items: T[] }>(kube, `${path}${query}`, signal)).items;
}

/** Throws `missing <Kinds>: a, b` (sorted) when any of `expected` is absent from the list. */
export async function requireNamed(
  kube: KubeApi,
  kindPlural: string,
  path: string,
  expected: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  const present = new Set(
    (await listItems<Named>(kube, path, CONTROL_PLANE_SELECTOR, signal)).map((o) => o.metadata.name),
  );
  const missing = expected.filter((name) => !present.has(name)).sort();
  if (missing.length > 0) throw new Error(`missing ${kindPlural}: ${missing.join(', ')}`);
}
