import { authorizationPoliciesCrd } from './authorizationpolicies.js';
import type { CrdDefinition } from './define.js';
import { withMetadata } from './define.js';
import { egressNetworksCrd } from './egressnetworks.js';
import { externalWorkloadsCrd } from './externalworkloads.js';
import type { GatewayApiSelection } from './gateway-decision.js';
import { gatewayApiCrd } from './gateway-api/index.js';
import { httpLocalRateLimitPoliciesCrd } from './httplocalratelimitpolicies.js';
import { policyHttpRoutesCrd } from './httproutes-policy.js';
import { meshTlsAuthenticationsCrd } from './meshtlsauthentications.js';
import { networkAuthenticationsCrd } from './networkauthentications.js';
import { serverAuthorizationsCrd } from './serverauthorizations.js';
import { serversCrd } from './servers.js';
import { serviceProfilesCrd } from './serviceprofiles.js';
import type { CrdMetadataOptions, CustomResourceDefinition } from './types.js';

export * from './gateway-decision.js';
export { GATEWAY_API_BUNDLE_VERSION, gatewayApiCrd, type GatewayApiCrd } from './gateway-api/index.js';
export type { CrdDefinition } from './define.js';
export type { CrdMetadataOptions, CrdVersion, CustomResourceDefinition, JSONSchemaProps } from './types.js';

/** Linkerd's own CRDs in chart order, without the Gateway API ones (which sit between 9 and 10). */
export const LINKERD_CRDS: readonly CrdDefinition[] = [
  authorizationPoliciesCrd,
  egressNetworksCrd,
  httpLocalRateLimitPoliciesCrd,
  policyHttpRoutesCrd,
  meshTlsAuthenticationsCrd,
  networkAuthenticationsCrd,
  serverAuthorizationsCrd,
  serversCrd,
  serviceProfilesCrd,
  externalWorkloadsCrd,
];

/** What `linkerd install` requires on the cluster: each Linkerd CRD with its last listed version. */
export const LINKERD_CRD_REQUIREMENTS: readonly { name: string; requiredVersion: string }[] = LINKERD_CRDS.map(
  (crd) => ({ name: crd.name, requiredVersion: crd.spec.versions.at(-1)?.name ?? '' }),
);

export interface RenderCrdsOptions extends CrdMetadataOptions {
  gatewayApi: GatewayApiSelection;
}

/** The objects of `install --crds`, in the chart's output order (spec install.md §2.3). */
export function renderCrds(opts: RenderCrdsOptions): CustomResourceDefinition[] {
  const linkerd = LINKERD_CRDS.map((def) => withMetadata(def, opts));
  const { httpRoutes, tlsRoutes, tcpRoutes } = opts.gatewayApi;
  const gateway = [
    ...(httpRoutes ? [gatewayApiCrd('httproutes', opts), gatewayApiCrd('grpcroutes', opts)] : []),
    ...(tlsRoutes ? [gatewayApiCrd('tlsroutes', opts)] : []),
    ...(tcpRoutes ? [gatewayApiCrd('tcproutes', opts)] : []),
  ];
  return [...linkerd.slice(0, -1), ...gateway, ...linkerd.slice(-1)];
}
export {
  classifyGatewayApi,
  detectGatewayApi,
  GATEWAY_API_PROBE_CRDS,
  type GatewayApiDetection,
} from './detect-gateway-api.js';
