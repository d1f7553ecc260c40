// Typed views of the objects the destination controller reads; only the fields it uses.
import type { KubeObject } from '../../kube/types.js';

export interface ContainerPort {
  name?: string;
  containerPort: number;
  hostPort?: number;
  protocol?: string;
}

export interface Container {
  name: string;
  ports?: ContainerPort[];
  env?: { name: string; value?: string }[];
}

export interface Pod extends KubeObject {
  spec?: {
    serviceAccountName?: string;
    nodeName?: string;
    hostNetwork?: boolean;
    containers?: Container[];
    initContainers?: Container[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    hostIP?: string;
    hostIPs?: { ip: string }[];
  };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: ServicePort[];
    internalTrafficPolicy?: string;
    externalName?: string;
  };
}

export interface EndpointSliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  zone?: string;
  hints?: { forZones?: { name: string }[] };
  targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string };
}

export interface EndpointSlice extends KubeObject {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: EndpointSliceEndpoint[] | null;
  ports?: { name?: string | null; port?: number | null; protocol?: string }[] | null;
}

export interface Server extends KubeObject {
  spec?: {
    podSelector?: LabelSelector;
    port?: number | string;
    proxyProtocol?: string;
  };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ServiceProfile extends KubeObject {
  spec?: ServiceProfileSpec;
}

export interface ServiceProfileSpec {
  routes?: RouteSpec[];
  retryBudget?: { retryRatio: number; minRetriesPerSecond: number; ttl: string };
  dstOverrides?: { authority: string; weight: string | number }[];
}

export interface RouteSpec {
  name: string;
  condition?: RequestMatchSpec;
  responseClasses?: { condition?: ResponseMatchSpec; isFailure?: boolean }[];
  isRetryable?: boolean;
  timeout?: string;
}

export interface RequestMatchSpec {
  all?: RequestMatchSpec[];
  any?: RequestMatchSpec[];
  not?: RequestMatchSpec;
  pathRegex?: string;
  method?: string;
}

export interface ResponseMatchSpec {
  all?: ResponseMatchSpec[];
  any?: ResponseMatchSpec[];
  not?: ResponseMatchSpec;
  status?: { min?: number; max?: number };
}

/** ReplicaSets, Jobs and Nodes: only metadata is used. */
export type MetaObject = KubeObject;
