import type { CheckContext } from '../context.js';
import { getOrUndefined } from '../kube-api.js';
import type { Category } from '../model.js';

const GATEWAY_CRDS = ['httproutes.gateway.networking.k8s.io', 'grpcroutes.gateway.networking.k8s.io'];

export const GATEWAY_API_MISSING_MESSAGE =
  'The Gateway API CRDs must be installed prior to installing Linkerd. Run:\n\n' +
  'kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml\n\n' +
  'or see https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api for more options.';

interface Crd {
  metadata: { annotations?: Record<string, string> };
  spec?: { versions?: { name: string }[] };
}

export function gatewayApiCrd(ctx: CheckContext): Category {
  return {
    id: 'gateway-api-crd',
    checks: [
      {
        description: 'Gateway API CRDs are installed',
        hintAnchor: 'gateway-api-crd',
        fatal: true,
        run: async (signal) => {
          const kube = await ctx.kube();
          let found = false;
          for (const name of GATEWAY_CRDS) {
            const crd = await getOrUndefined<Crd>(
              kube,
              `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
              signal,
            );
            if (crd === undefined) continue;
            found = true;
            // Linkerd-managed CRDs are Linkerd's own business; external ones must serve v1.
            if ((crd.metadata.annotations?.['linkerd.io/created-by'] ?? '') !== '') return;
            if (!(crd.spec?.versions ?? []).some((v) => v.name === 'v1')) {
              throw new Error(
                `the ${name} CRD is missing the v1 version, please upgrade to Gateway API v1.1.1 or later`,
              );
            }
          }
          if (!found) throw new Error(GATEWAY_API_MISSING_MESSAGE);
        },
      },
    ],
  };
}
