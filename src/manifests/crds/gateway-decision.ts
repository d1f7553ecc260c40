/**
 * Whether `install --crds` renders the bundled Gateway API CRDs (spec install.md §2.2). Pure: the
 * cluster state comes from `detectGatewayApi`, the values from `--set`/`-f`.
 */

/**
 * What the cluster holds of `httproutes`/`grpcroutes.gateway.networking.k8s.io`:
 * - `absent`: neither CRD;
 * - `linkerd-managed`: a found CRD carries `linkerd.io/created-by`;
 * - `external`: found, installed by something else;
 * - `unknown`: not looked at (`--ignore-cluster`).
 */
export type GatewayApiClusterState = 'absent' | 'linkerd-managed' | 'external' | 'unknown';

export interface GatewayApiValues {
  installGatewayAPI?: boolean;
  /** Covers HTTPRoute and GRPCRoute. */
  enableHttpRoutes?: boolean;
  enableTlsRoutes?: boolean;
  enableTcpRoutes?: boolean;
}

export interface GatewayApiSelection {
  /** httproutes and grpcroutes. */
  httpRoutes: boolean;
  tlsRoutes: boolean;
  tcpRoutes: boolean;
}

/** A refusal; its message is printed alone on stderr (exit 1). */
export class GatewayApiDecisionError extends Error {
  override readonly name = 'GatewayApiDecisionError';
}

export const GATEWAY_API_ABSENT_MESSAGE = `The Gateway API CRDs must be installed prior to installing Linkerd. Run:

kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml

or see https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api for more options.`;

export const GATEWAY_API_REMOVAL_MESSAGE =
  'Linkerd is providing GW API, but your current install configuration will remove it';

export const GATEWAY_API_EXTERNAL_MESSAGE =
  'Linkerd cannot install the Gateway API CRDs because they are already installed by an external source. Please set `installGatewayAPI` to `false`.';

export function gatewayApiMissingV1Message(crdName: string): string {
  return `the ${crdName} CRD is missing the v1 version, please upgrade to Gateway API v1.1.1 or later`;
}

/**
 * @param externalMissingV1 names of externally installed Gateway API CRDs that lack a `v1` version
 */
export function decideGatewayApi(
  cluster: GatewayApiClusterState,
  externalMissingV1: readonly string[],
  values: GatewayApiValues,
): GatewayApiSelection | GatewayApiDecisionError {
  // The cluster only sets the default; an explicit value wins, and is then checked against the cluster.
  const installGatewayAPI = values.installGatewayAPI ?? cluster === 'linkerd-managed';
  const selection: GatewayApiSelection = {
    httpRoutes: values.enableHttpRoutes ?? installGatewayAPI,
    tlsRoutes: values.enableTlsRoutes ?? installGatewayAPI,
    tcpRoutes: values.enableTcpRoutes ?? installGatewayAPI,
  };
  const installing = selection.httpRoutes;
  switch (cluster) {
    case 'absent':
      return installing ? selection : new GatewayApiDecisionError(GATEWAY_API_ABSENT_MESSAGE);
    case 'linkerd-managed':
      return installing ? selection : new GatewayApiDecisionError(GATEWAY_API_REMOVAL_MESSAGE);
    case 'external': {
      const [missing] = externalMissingV1;
      if (missing !== undefined) return new GatewayApiDecisionError(gatewayApiMissingV1Message(missing));
      return installing ? new GatewayApiDecisionError(GATEWAY_API_EXTERNAL_MESSAGE) : selection;
    }
    case 'unknown':
      return selection;
  }
}
