import { toJsonLines, toYaml } from '../manifests/yaml/emit.js';
import type { ResourceStub } from './plan.js';

export type UninstallOutput = 'yaml' | 'json';

/** YAML documents each followed by `---` (as Linkerd prints them), or one JSON object per line. */
export function renderStubs(stubs: readonly ResourceStub[], output: UninstallOutput): string {
  if (output === 'json') return toJsonLines(stubs);
  return stubs.map((stub) => `${toYaml(stub)}---\n`).join('');
}
