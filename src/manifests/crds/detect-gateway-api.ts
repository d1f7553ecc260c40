import type { KubeClient } from '../../kube/client.js';
import type { GatewayApiClusterState } from './gateway-decision.js';

/** The CRDs whose presence decides the Gateway API state (Linkerd's `CheckGatewayAPICRDs`). */
export const GATEWAY_API_PROBE_CRDS = [
  'httproutes.gateway.networking.k8s.io',
  'grpcroutes.gateway.networking.k8s.io',
] as const;

interface CrdView {
  metadata: { name?: string; annotations?: Record<string, string> };
  spec?: { versions?: { name: string }[] };
}

export interface GatewayApiDetection {
  state: Exclude<GatewayApiClusterState, 'unknown'>;
  /** Externally installed probe CRDs without a `v1` version. */
  externalMissingV1: string[];
}

/** Pure classification of the probe CRDs found on the cluster. */
export function classifyGatewayApi(found: readonly CrdView[]): GatewayApiDetection {
  const managed = (crd: CrdView) => crd.metadata.annotations?.['linkerd.io/created-by'] !== undefined;
  const external = found.filter((crd) => !managed(crd));
  return {
    state: found.length === 0 ? 'absent' : found.some(managed) ? 'linkerd-managed' : 'external',
    externalMissingV1: external
      .filter((crd) => !(crd.spec?.versions ?? []).some((v) => v.name === 'v1'))
      .map((crd) => crd.metadata.name ?? ''),
  };
}

/** Reads the probe CRDs (a missing one is not an error) and classifies the cluster. */
export async function detectGatewayApi(client: KubeClient): Promise<GatewayApiDetection> {
  const found = await Promise.all(
    GATEWAY_API_PROBE_CRDS.map((name) =>
      client.getOptional<CrdView>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`),
    ),
  );
  return classifyGatewayApi(found.filter((crd): crd is CrdView => crd !== undefined));
}
