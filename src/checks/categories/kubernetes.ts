import type { CheckContext } from '../context.js';
import type { Category } from '../model.js';

export const MINIMUM_KUBERNETES_VERSION = [1, 31, 0] as const;

export function kubernetesApi(ctx: CheckContext): Category {
  return {
    id: 'kubernetes-api',
    checks: [
      {
        description: 'can initialize the client',
        hintAnchor: 'k8s-api',
        fatal: true,
        run: async () => {
          await ctx.kube();
        },
      },
      {
        description: 'can query the Kubernetes API',
        hintAnchor: 'k8s-api',
        fatal: true,
        run: async () => {
          await ctx.serverVersion();
        },
      },
    ],
  };
}

export function kubernetesVersion(ctx: CheckContext): Category {
  return {
    id: 'kubernetes-version',
    checks: [
      {
        description: 'is running the minimum Kubernetes API version',
        hintAnchor: 'k8s-version',
        run: async () => checkMinimumVersion((await ctx.serverVersion()).gitVersion),
      },
    ],
  };
}

/** `v1.30.2-gke.1` → [1, 30, 2]; upstream cuts at the first character that is not a digit or dot. */
export function parseKubernetesVersion(gitVersion: string): [number, number, number] {
  const trimmed = gitVersion.replace(/^v/, '');
  const numeric = /^[0-9.]*/.exec(trimmed)?.[0] ?? '';
  const parts = numeric.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^\d+$/.test(p))) {
    throw new Error(`unknown version string format [${gitVersion}]`);
  }
  return [Number(parts[0]), Number(parts[1]), Number(parts[2])];
}

export function checkMinimumVersion(gitVersion: string): void {
  const actual = parseKubernetesVersion(gitVersion);
  const minimum = MINIMUM_KUBERNETES_VERSION;
  for (let i = 0; i < 3; i++) {
    const a = actual[i] ?? 0;
    const m = minimum[i] ?? 0;
    if (a > m) return;
    if (a < m) {
      throw new Error(
        `Kubernetes is on version [${actual.join('.')}], but version [${minimum.join('.')}] or more recent is required`,
      );
    }
  }
}
