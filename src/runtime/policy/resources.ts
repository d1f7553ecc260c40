// The API resources the policy controller lists and watches (controllers.md §3.2).
import type { ResourceType } from '../kube-cache/resource.js';

export const POLICY_GROUP = 'policy.linkerd.io';
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export const POLICY_RESOURCES = {
  servers: { group: POLICY_GROUP, version: 'v1beta3', plural: 'servers', kind: 'Server' },
  serverAuthorizations: {
    group: POLICY_GROUP,
    version: 'v1beta1',
    plural: 'serverauthorizations',
    kind: 'ServerAuthorization',
  },
  authorizationPolicies: {
    group: POLICY_GROUP,
    version: 'v1alpha1',
    plural: 'authorizationpolicies',
    kind: 'AuthorizationPolicy',
  },
  meshTLSAuthentications: {
    group: POLICY_GROUP,
    version: 'v1alpha1',
    plural: 'meshtlsauthentications',
    kind: 'MeshTLSAuthentication',
  },
  networkAuthentications: {
    group: POLICY_GROUP,
    version: 'v1alpha1',
    plural: 'networkauthentications',
    kind: 'NetworkAuthentication',
  },
  rateLimitPolicies: {
    group: POLICY_GROUP,
    version: 'v1alpha1',
    plural: 'httplocalratelimitpolicies',
    kind: 'HTTPLocalRateLimitPolicy',
  },
  policyHttpRoutes: { group: POLICY_GROUP, version: 'v1beta3', plural: 'httproutes', kind: 'HTTPRoute' },
  gatewayHttpRoutes: { group: GATEWAY_GROUP, version: 'v1', plural: 'httproutes', kind: 'HTTPRoute' },
  gatewayTcpRoutes: { group: GATEWAY_GROUP, version: 'v1alpha2', plural: 'tcproutes', kind: 'TCPRoute' },
  gatewayTlsRoutes: { group: GATEWAY_GROUP, version: 'v1alpha2', plural: 'tlsroutes', kind: 'TLSRoute' },
  gatewayGrpcRoutes: { group: GATEWAY_GROUP, version: 'v1', plural: 'grpcroutes', kind: 'GRPCRoute' },
} as const satisfies Record<string, ResourceType>;

/** Kubernetes annotations and labels the policy controller reads. */
export const POLICY_ANNOTATIONS = {
  defaultInboundPolicy: 'config.linkerd.io/default-inbound-policy',
  opaquePorts: 'config.linkerd.io/opaque-ports',
  requireIdentityPorts: 'config.linkerd.io/proxy-require-identity-inbound-ports',
  controlPlaneNs: 'linkerd.io/control-plane-ns',
} as const;
