import { ExitError } from '../cli/errors.js';
import type { KubeObject } from '../kube/types.js';
import type { CrdRequirement } from './context.js';
import type { CheckMode } from './plan.js';

export interface CheckManifests {
  crdRequirements: readonly CrdRequirement[];
  installObjects: readonly KubeObject[];
}

/**
 * What the checks compare the cluster with: the CRD list of `install --crds`, and (for `--pre`)
 * the default install manifest, rendered up front as upstream does.
 */
export async function loadCheckManifests(mode: CheckMode, namespace: string): Promise<CheckManifests> {
  const { LINKERD_CRD_REQUIREMENTS } = await import('../manifests/crds/index.js');
  if (mode !== 'pre') return { crdRequirements: LINKERD_CRD_REQUIREMENTS, installObjects: [] };
  try {
    return { crdRequirements: LINKERD_CRD_REQUIREMENTS, installObjects: await renderInstallObjects(namespace) };
  } catch (err) {
    throw new ExitError(`Error rendering install manifest: ${(err as Error).message}`, 1);
  }
}

/** The default install (fresh credentials), as `l5d install` would print it. */
async function renderInstallObjects(namespace: string): Promise<KubeObject[]> {
  const [{ renderInstallManifest }, { defaultValues, cliCreatedBy }] = await Promise.all([
    import('../manifests/install/manifest.js'),
    import('../manifests/values/defaults.js'),
  ]);
  const rendered = await renderInstallManifest(defaultValues(), {
    namespace,
    now: new Date(),
    createdBy: cliCreatedBy(),
  });
  return rendered.objects;
}
