import type { KubeObject } from '../kube/types.js';
import { apiErrorText, type KubeApi } from './kube-api.js';

/** Upstream guesses the resource from the kind (client-go's UnsafeGuessKindToResource). */
export function guessResource(kind: string): string {
  const singular = kind.toLowerCase();
  if (singular === 'endpoints') return singular;
  if (singular.endsWith('s')) return `${singular}es`;
  if (singular.endsWith('y')) return `${singular.slice(0, -1)}ies`;
  return `${singular}s`;
}

export function collectionPath(obj: KubeObject): string {
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  const ns = obj.metadata.namespace;
  return `${base}${ns ? `/namespaces/${ns}` : ''}/${guessResource(obj.kind)}`;
}

/**
 * Server-side dry-run create of every cluster-scoped object; throws one line per refused object
 * (`cannot create <Kind>/<name>: <err>`), as upstream's "can create non-namespaced resources".
 */
export async function dryRunClusterScoped(
  kube: KubeApi,
  objects: readonly KubeObject[],
  signal?: AbortSignal,
): Promise<void> {
  const clusterScoped = objects.filter((o) => !o.metadata.namespace);
  const failures = await Promise.all(
    clusterScoped.map(async (obj) => {
      try {
        await kube.request({
          method: 'POST',
          path: collectionPath(obj),
          query: { dryRun: 'All' },
          body: obj,
          ...(signal ? { signal } : {}),
        });
        return undefined;
      } catch (err) {
        return `cannot create ${obj.kind}/${obj.metadata.name ?? ''}: ${apiErrorText(err)}`;
      }
    }),
  );
  const lines = failures.filter((f): f is string => f !== undefined);
  if (lines.length > 0) throw new Error(lines.join('\n    '));
}
