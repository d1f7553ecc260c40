// Typed views of the objects the policy controller indexes; only the fields it reads.
import type { KubeObject } from '../../kube/types.js';
import type { LabelSelector, Pod as DestinationPod, Service } from '../destination/k8s-types.js';

export type { LabelSelector, Service };

export interface HttpGetProbe {
  httpGet?: { path?: string; port?: number | string; scheme?: string };
}

export interface ProbedContainer {
  name: string;
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  livenessProbe?: HttpGetProbe;
  readinessProbe?: HttpGetProbe;
  startupProbe?: HttpGetProbe;
}

export interface Pod extends DestinationPod {
  spec?: NonNullable<DestinationPod['spec']> & { containers?: ProbedContainer[]; initContainers?: ProbedContainer[] };
}

export interface Server extends KubeObject {
  spec?: {
    podSelector?: LabelSelector;
    externalWorkloadSelector?: LabelSelector;
    port?: number | string;
    proxyProtocol?: string;
    accessPolicy?: string;
  };
}

export interface NetworkSpec {
  cidr: string;
  except?: string[];
}

export interface ServerAuthorization extends KubeObject {
  spec?: {
    server?: { name?: string; selector?: LabelSelector };
    client?: {
      networks?: NetworkSpec[];
      unauthenticated?: boolean;
      meshTLS?: {
        unauthenticatedTLS?: boolean;
        identities?: string[];
        serviceAccounts?: { name: string; namespace?: string }[];
      };
    };
  };
}

export interface TargetRef {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface AuthorizationPolicy extends KubeObject {
  spec?: { targetRef?: TargetRef; requiredAuthenticationRefs?: TargetRef[] };
}

export interface MeshTLSAuthentication extends KubeObject {
  spec?: { identities?: string[]; identityRefs?: TargetRef[] };
}

export interface NetworkAuthentication extends KubeObject {
  spec?: { networks?: NetworkSpec[] };
}

export interface ParentRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  sectionName?: string;
}

export interface BackendRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  weight?: number;
  filters?: HttpRouteFilter[];
}

export interface HeaderValue {
  name: string;
  value: string;
}

export interface HttpRouteFilter {
  type: string;
  requestHeaderModifier?: HeaderModifier;
  responseHeaderModifier?: HeaderModifier;
  requestRedirect?: {
    scheme?: string;
    hostname?: string;
    path?: { type: string; replaceFullPath?: string; replacePrefixMatch?: string };
    port?: number;
    statusCode?: number;
  };
}

export interface HeaderModifier {
  set?: HeaderValue[];
  add?: HeaderValue[];
  remove?: string[];
}

export interface HttpRouteMatch {
  path?: { type?: string; value?: string };
  headers?: { type?: string; name: string; value: string }[];
  queryParams?: { type?: string; name: string; value: string }[];
  method?: string;
}

export interface HttpRouteRule {
  matches?: HttpRouteMatch[];
  filters?: HttpRouteFilter[];
  backendRefs?: BackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface HttpRoute extends KubeObject {
  spec?: { parentRefs?: ParentRef[]; hostnames?: string[]; rules?: HttpRouteRule[] };
}

export interface GrpcRouteMatch {
  method?: { type?: string; service?: string; method?: string };
  headers?: { type?: string; name: string; value: string }[];
}

export interface GrpcRouteRule {
  matches?: GrpcRouteMatch[];
  filters?: HttpRouteFilter[];
  backendRefs?: BackendRef[];
}

export interface GrpcRoute extends KubeObject {
  spec?: { parentRefs?: ParentRef[]; hostnames?: string[]; rules?: GrpcRouteRule[] };
}

export type Namespace = KubeObject;

/** The `spec` of a resource type, present. */
export type SpecOf<T extends { spec?: unknown }> = NonNullable<T['spec']>;

export interface RateLimit {
  requestsPerSecond: number;
}

export interface HttpLocalRateLimitPolicy extends KubeObject {
  spec?: {
    targetRef?: TargetRef;
    total?: RateLimit;
    identity?: RateLimit;
    overrides?: { requestsPerSecond: number; clientRefs?: TargetRef[] }[];
  };
}

/** TCPRoute and TLSRoute (gateway.networking.k8s.io/v1alpha2): parents, SNI hostnames, backends. */
export interface L4Route extends KubeObject {
  spec?: { parentRefs?: ParentRef[]; hostnames?: string[]; rules?: { backendRefs?: BackendRef[] }[] };
}
