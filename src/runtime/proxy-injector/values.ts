import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isPlainObject } from '../../manifests/inject/json.js';
import { defaultValues } from '../../manifests/values/defaults.js';
import { deepMerge } from '../../manifests/values/merge.js';
import type { Values, ValuesTree } from '../../manifests/values/types.js';

/**
 * The mounted linkerd-config `values` laid over the chart defaults, with the mounted trust anchors as
 * `identityTrustAnchorsPEM` (controllers.md §4.3 steps 1–2). Read on every request: the mounts change
 * when the ConfigMap or trust bundle does.
 */
export async function loadInjectorValues(configDir: string, trustRootsDir: string): Promise<Values> {
  const valuesPath = join(configDir, 'values');
  const text = await readFile(valuesPath, 'utf8');
  let tree: unknown;
  try {
    tree = parse(text);
  } catch (err) {
    throw new Error(`failed to parse ${valuesPath}: ${(err as Error).message}`);
  }
  if (tree !== null && tree !== undefined && !isPlainObject(tree)) {
    throw new Error(`failed to parse ${valuesPath}: not a mapping`);
  }
  const values = deepMerge(defaultValues(), (tree ?? {}) as ValuesTree);
  values.identityTrustAnchorsPEM = await readFile(join(trustRootsDir, 'ca-bundle.crt'), 'utf8');
  return values;
}
