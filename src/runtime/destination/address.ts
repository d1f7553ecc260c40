import { create } from '@bufbuild/protobuf';
import {
  ProtocolHintSchema,
  ProtocolHint_H2Schema,
  ProtocolHint_OpaqueSchema,
  ProtocolHint_OpaqueTransportSchema,
  TlsIdentitySchema,
  WeightedAddrSchema,
  type ProtocolHint,
  type WeightedAddr,
} from '../../proto/gen/destination_pb.js';
import { ENDPOINT_WEIGHT, LABELS, type DestinationConfig } from './config.js';
import type { Pod } from './k8s-types.js';
import { tcpAddress } from './net.js';
import {
  ownerLabel,
  podOpaquePorts,
  podSkipsInboundPort,
  proxyPorts,
  resolveOwner,
  serverMarksOpaque,
  type ClusterView,
} from './workload.js';

export interface PodAddressInput {
  pod: Pod;
  ip: string;
  port: number;
  /** Zone of the EndpointSlice endpoint, if any. */
  zone?: string;
  /** Zone of the client's node, if known. */
  clientZone?: string;
}

export type AddressResult = { ok: true; addr: WeightedAddr; opaque: boolean } | { ok: false; error: string };

/** The workload identity a meshed pod's proxy presents. */
export function podIdentity(pod: Pod, cfg: DestinationConfig): string {
  const sa = pod.spec?.serviceAccountName || 'default';
  return `${sa}.${pod.metadata.namespace ?? ''}.serviceaccount.identity.${cfg.controllerNamespace}.${cfg.trustDomain}`;
}

export function zoneLocality(endpointZone: string | undefined, clientZone: string | undefined): string {
  if (!endpointZone || !clientZone) return 'unknown';
  return endpointZone === clientZone ? 'local' : 'remote';
}

/** A pod-backed WeightedAddr with every field of controllers.md §2.5. */
export function podAddress(input: PodAddressInput, cfg: DestinationConfig, view: ClusterView): AddressResult {
  const { pod, ip, port } = input;
  const labels = pod.metadata.labels ?? {};
  const owner = resolveOwner(pod, view);
  const metricLabels: Record<string, string> = { pod: pod.metadata.name ?? '' };
  metricLabels[ownerLabel(owner.kind)] = owner.name;
  metricLabels.serviceaccount = pod.spec?.serviceAccountName || 'default';
  const cpNs = labels[LABELS.controlPlaneNs];
  if (cpNs !== undefined) metricLabels.control_plane_ns = cpNs;
  const hash = labels[LABELS.podTemplateHash];
  if (hash !== undefined) metricLabels.pod_template_hash = hash;
  metricLabels.zone = input.zone ?? '';
  metricLabels.zone_locality = zoneLocality(input.zone, input.clientZone);

  const sameZone = input.zone !== undefined && input.zone !== '' && input.zone === input.clientZone;
  const addr = create(WeightedAddrSchema, {
    addr: tcpAddress(ip, port),
    weight: cfg.extEndpointZoneWeights && sameZone ? ENDPOINT_WEIGHT * 10 : ENDPOINT_WEIGHT,
    metricLabels,
  });
  const opaque =
    podOpaquePorts(pod, cfg.defaultOpaquePorts).has(port) ||
    serverMarksOpaque(pod, port, view.serversIn(pod.metadata.namespace ?? ''));
  const skipped = podSkipsInboundPort(pod, port);
  if (cpNs === undefined || skipped) return { ok: true, addr, opaque };

  const ports = proxyPorts(pod);
  if (ports === undefined) {
    return {
      ok: false,
      error: `failed to find LINKERD2_PROXY_INBOUND_LISTEN_ADDR in linkerd-proxy container of pod ${pod.metadata.namespace}/${pod.metadata.name}`,
    };
  }
  if (cfg.meshedHttp2Params !== undefined) addr.http2 = cfg.meshedHttp2Params;
  const hint: ProtocolHint = create(ProtocolHintSchema, {});
  if (opaque) hint.protocol = { case: 'opaque', value: create(ProtocolHint_OpaqueSchema) };
  else if (cfg.enableH2Upgrade) hint.protocol = { case: 'h2', value: create(ProtocolHint_H2Schema) };
  const isProxyPort = port === ports.admin || port === ports.control;
  if (!isProxyPort && (cfg.forceOpaqueTransport || opaque)) {
    hint.opaqueTransport = create(ProtocolHint_OpaqueTransportSchema, { inboundPort: ports.inbound });
  }
  addr.protocolHint = hint;
  if (cfg.trustDomain !== '' && cpNs === cfg.controllerNamespace) {
    const name = podIdentity(pod, cfg);
    addr.tlsIdentity = create(TlsIdentitySchema, {
      strategy: { case: 'dnsLikeIdentity', value: { name } },
      serverName: { name },
    });
  }
  return { ok: true, addr, opaque };
}
