import type { CrdRequirement } from './context.js';
import { getOrUndefined, type KubeApi } from './kube-api.js';

interface Crd {
  spec?: { versions?: { name: string }[] };
}

/**
 * Every Linkerd CRD must exist and serve its newest version; problems are listed in manifest
 * order (`missing <crd>`, `CRD <crd> is missing version <v>`).
 */
export async function checkLinkerdCrds(
  kube: KubeApi,
  requirements: readonly CrdRequirement[],
  signal?: AbortSignal,
): Promise<void> {
  const problems = await Promise.all(
    requirements.map(async ({ name, requiredVersion }) => {
      const crd = await getOrUndefined<Crd>(
        kube,
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
        signal,
      );
      if (crd === undefined) return `missing ${name}`;
      if (!(crd.spec?.versions ?? []).some((v) => v.name === requiredVersion)) {
        return `CRD ${name} is missing version ${requiredVersion}`;
      }
      return undefined;
    }),
  );
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length > 0) throw new Error(found.join(', '));
}
