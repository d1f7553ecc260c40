import { parse } from 'yaml';
import { ExitError } from '../../cli/errors.js';
import type { RootOptions } from '../../cli/root-flags.js';
import { defaultValues } from '../values/defaults.js';
import { deepMerge } from '../values/merge.js';
import type { Values, ValuesTree } from '../values/types.js';
import { isPlainObject } from './json.js';

const VALIDATE = "Validate the install with: 'l5d check'";

/**
 * The installed control plane's values (the `values` key of `linkerd-config`) laid over the chart
 * defaults, with Linkerd's messages when the cluster or Linkerd can't be found (inject.md §2.3).
 */
export async function clusterValues(root: RootOptions): Promise<Values> {
  const { KubeClient } = await import('../../kube/client.js');
  let client;
  try {
    client = await KubeClient.connect(root.kube);
  } catch (err) {
    throw new ExitError(`Cannot connect to Kubernetes: ${(err as Error).message}\n${VALIDATE}`);
  }
  try {
    let configMap: { data?: Record<string, string> } | undefined;
    try {
      configMap = await client.request({
        path: `/api/v1/namespaces/${root.namespace}/configmaps/linkerd-config`,
        timeoutMs: 30_000,
      });
    } catch (err) {
      const name = (err as Error).name;
      const prefix = name === 'KubeConnectionError' ? 'Cannot connect to Kubernetes' : 'Cannot find Linkerd';
      throw new ExitError(`${prefix}: ${(err as Error).message}\n${VALIDATE}`);
    }
    const text = configMap?.data?.values;
    const tree: unknown = text === undefined ? undefined : parse(text);
    if (!isPlainObject(tree)) {
      throw new ExitError(`Cannot find Linkerd: linkerd-config has no values\n${VALIDATE}`);
    }
    return deepMerge(defaultValues(), tree as ValuesTree);
  } finally {
    await client.close();
  }
}
