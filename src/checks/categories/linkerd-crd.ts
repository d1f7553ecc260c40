import type { CheckContext } from '../context.js';
import { checkLinkerdCrds } from '../crds.js';
import type { Category } from '../model.js';

export function linkerdCrd(ctx: CheckContext): Category {
  return {
    id: 'linkerd-crd',
    checks: [
      {
        description: 'control plane CustomResourceDefinitions exist',
        hintAnchor: 'l5d-existence-crd',
        fatal: true,
        retry: true,
        run: async (signal) => checkLinkerdCrds(await ctx.kube(), ctx.deps.crdRequirements(), signal),
      },
    ],
  };
}
