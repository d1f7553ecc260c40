import { parse as parseYaml } from 'yaml';
import type { KubeClient } from '../kube/client.js';

interface ConfigMap {
  data?: Record<string, string>;
}

export const SERVER_VERSION_TIMEOUT_MS = 5_000;

/**
 * The installed control plane's version: `linkerdVersion` from the `values` key of the
 * `linkerd-config` ConfigMap. Any failure means "unavailable", never an error.
 */
export async function fetchServerVersion(
  client: KubeClient | undefined,
  namespace: string,
): Promise<string | undefined> {
  if (!client) return undefined;
  try {
    const cm = await client.request<ConfigMap>({
      path: `/api/v1/namespaces/${namespace}/configmaps/linkerd-config`,
      timeoutMs: SERVER_VERSION_TIMEOUT_MS,
    });
    const values: unknown = parseYaml(cm.data?.values ?? '');
    const version = (values as { linkerdVersion?: unknown } | null)?.linkerdVersion;
    return typeof version === 'string' && version.length > 0 ? version : undefined;
  } catch {
    return undefined;
  }
}
