import type { KubeClient } from '../kube/client.js';
import { KubeApiError } from '../kube/errors.js';
import type { KubeList, ObjectMeta } from '../kube/types.js';
import type { UninstallLister } from './plan.js';

/** Lists through the API server; an API group the cluster does not serve simply has no objects. */
export function kubeLister(client: KubeClient): UninstallLister {
  return {
    async list(path, labelSelector) {
      try {
        const res = await client.request<KubeList<{ metadata: ObjectMeta }>>({ path, query: { labelSelector } });
        return res.items;
      } catch (err) {
        if (err instanceof KubeApiError && err.notFound) return [];
        throw err;
      }
    },
  };
}
