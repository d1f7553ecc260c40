import type { Http2ClientParams } from '../../proto/gen/destination_pb.js';

/** Settings that shape the answers (rendered from controllers.md §2.1 flags). */
export interface DestinationConfig {
  controllerNamespace: string;
  /** Empty disables TLS identity hints. */
  trustDomain: string;
  clusterDomain: string;
  defaultOpaquePorts: ReadonlySet<number>;
  enableH2Upgrade: boolean;
  /** `-outbound-transport-mode=transport-header`. */
  forceOpaqueTransport: boolean;
  enableIPv6: boolean;
  meshedHttp2Params?: Http2ClientParams;
  extEndpointZoneWeights: boolean;
  streamQueueCapacity: number;
}

export const ENDPOINT_WEIGHT = 10_000;

export const LABELS = {
  controlPlaneNs: 'linkerd.io/control-plane-ns',
  podTemplateHash: 'pod-template-hash',
  serviceName: 'kubernetes.io/service-name',
  zone: 'topology.kubernetes.io/zone',
  mirrorClusterName: 'mirror.linkerd.io/cluster-name',
} as const;

export const ANNOTATIONS = {
  opaquePorts: 'config.linkerd.io/opaque-ports',
  skipInboundPorts: 'config.linkerd.io/skip-inbound-ports',
  remoteGatewayIdentity: 'mirror.linkerd.io/remote-gateway-identity',
  remoteSvcFqName: 'mirror.linkerd.io/remote-svc-fq-name',
} as const;

export const PROXY_CONTAINER = 'linkerd-proxy';
