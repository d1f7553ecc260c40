import { isIPv6 } from 'node:net';
import { create } from '@bufbuild/protobuf';
import {
  AuthorityOverrideSchema,
  ProtocolHintSchema,
  TlsIdentitySchema,
  WeightedAddrSchema,
  type WeightedAddr,
} from '../../proto/gen/destination_pb.js';
import type { TcpAddress } from '../../proto/gen/net_pb.js';
import { podAddress, zoneLocality } from './address.js';
import { ANNOTATIONS, ENDPOINT_WEIGHT, type DestinationConfig } from './config.js';
import type { EndpointSlice, Pod, Service } from './k8s-types.js';
import { tcpAddress } from './net.js';
import { resolveOwner, type ClusterView } from './workload.js';

export interface EndpointQuery {
  service: Service;
  slices: readonly EndpointSlice[];
  requestedPort: number;
  /** Requested instance (`<instance>.<svc>.<ns>.svc.<cd>`). */
  hostname?: string;
  /** The client's node, from the context token. */
  nodeName?: string;
}

export interface AddressEntry {
  addr: WeightedAddr;
  /** Changes whenever anything the proxy sees for this address changes. */
  version: string;
}

interface Candidate {
  ip: string;
  port: number;
  pod?: Pod;
  zone?: string;
  hints?: string[];
  hostname?: string;
  slice: EndpointSlice;
}

/**
 * The Service's port as the address port: a Service port entry with the requested port selects
 * the slice port of the same name; otherwise the requested number is used (controllers.md §2.4).
 */
export function targetPort(service: Service, requestedPort: number): string | number {
  const entry = service.spec?.ports?.find((p) => p.port === requestedPort);
  return entry === undefined ? requestedPort : (entry.name ?? '');
}

function slicePort(slice: EndpointSlice, target: string | number): number | undefined {
  const ports = slice.ports ?? [];
  if (ports.length === 0) return undefined;
  if (typeof target === 'number') return target;
  return ports.find((p) => (p.name ?? '') === target)?.port ?? undefined;
}

/** The filtered address set for one subscription, keyed by `ip:port`. */
export function buildEndpointSet(
  q: EndpointQuery,
  cfg: DestinationConfig,
  view: ClusterView,
  onError: (msg: string) => void = () => undefined,
  /** The subscription's previous set: unchanged addresses are reused rather than rebuilt. */
  previous: ReadonlyMap<string, AddressEntry> = new Map(),
): Map<string, AddressEntry> {
  const target = targetPort(q.service, q.requestedPort);
  const candidates: Candidate[] = [];
  for (const slice of q.slices) {
    if (slice.addressType === 'FQDN') continue;
    const port = slicePort(slice, target);
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      let pod: Pod | undefined;
      if (ep.targetRef?.kind === 'Pod') {
        pod = view.pod(ep.targetRef.namespace ?? slice.metadata.namespace ?? '', ep.targetRef.name ?? '');
        if (pod === undefined) {
          onError(`unable to fetch pod ${ep.targetRef.namespace}/${ep.targetRef.name}`);
          continue;
        }
      } else if (ep.targetRef !== undefined) {
        continue; // ExternalWorkloads are not supported yet.
      }
      for (const ip of ep.addresses) {
        candidates.push({
          ip,
          port,
          slice,
          ...(pod === undefined ? {} : { pod }),
          ...(ep.zone === undefined ? {} : { zone: ep.zone }),
          ...(ep.hints?.forZones === undefined ? {} : { hints: ep.hints.forZones.map((z) => z.name) }),
          ...(ep.hostname === undefined ? {} : { hostname: ep.hostname }),
        });
      }
    }
  }
  const clientZone = q.nodeName === undefined || q.nodeName === '' ? undefined : view.nodeZone(q.nodeName);
  const kept = filterCandidates(candidates, q, cfg, clientZone);
  const out = new Map<string, AddressEntry>();
  const serversVersion = view
    .serversIn(q.service.metadata.namespace ?? '')
    .map((s) => `${s.metadata.name}@${s.metadata.resourceVersion}`)
    .join(',');
  for (const c of kept) {
    const key = `${isIPv6(c.ip) ? `[${c.ip}]` : c.ip}:${c.port}`;
    const version = inputVersion(c, clientZone, serversVersion, view);
    const reusable = previous.get(key);
    if (reusable?.version === version) {
      out.set(key, reusable);
      continue;
    }
    if (c.pod !== undefined) {
      const result = podAddress(
        {
          pod: c.pod,
          ip: c.ip,
          port: c.port,
          ...(c.zone === undefined ? {} : { zone: c.zone }),
          ...(clientZone === undefined ? {} : { clientZone }),
        },
        cfg,
        view,
      );
      if (!result.ok) {
        onError(result.error);
        continue;
      }
      out.set(key, { addr: result.addr, version });
    } else {
      out.set(key, { addr: unmanagedAddress(c, q, cfg, clientZone), version });
    }
  }
  return out;
}

/**
 * Everything an address is derived from (the controller's settings aside): equal versions mean an
 * identical WeightedAddr, so diffs only re-send addresses whose inputs changed.
 */
function inputVersion(c: Candidate, clientZone: string | undefined, serversVersion: string, view: ClusterView): string {
  const zone = `${c.zone ?? ''}|${clientZone ?? ''}|${(c.hints ?? []).join(',')}`;
  if (c.pod === undefined) {
    return `slice:${c.slice.metadata.name}@${c.slice.metadata.resourceVersion ?? ''}|${zone}`;
  }
  const owner = resolveOwner(c.pod, view);
  const pod = c.pod.metadata;
  return `pod:${pod.uid ?? pod.name}@${pod.resourceVersion ?? ''}|${owner.kind}/${owner.name}|${zone}|${serversVersion}`;
}

/** Endpoints without a targetRef (manual slices, multicluster mirrors). */
function unmanagedAddress(
  c: Candidate,
  q: EndpointQuery,
  cfg: DestinationConfig,
  clientZone: string | undefined,
): WeightedAddr {
  const addr = create(WeightedAddrSchema, {
    addr: tcpAddress(c.ip, c.port),
    weight: ENDPOINT_WEIGHT,
    metricLabels: { zone_locality: zoneLocality(c.zone, clientZone) },
  });
  const annotations = c.slice.metadata.annotations ?? {};
  const fqName = annotations[ANNOTATIONS.remoteSvcFqName];
  if (fqName !== undefined) {
    addr.authorityOverride = create(AuthorityOverrideSchema, { authorityOverride: `${fqName}:${q.requestedPort}` });
  }
  const gatewayIdentity = annotations[ANNOTATIONS.remoteGatewayIdentity];
  if (gatewayIdentity !== undefined && gatewayIdentity !== '') {
    addr.tlsIdentity = create(TlsIdentitySchema, {
      strategy: { case: 'dnsLikeIdentity', value: { name: gatewayIdentity } },
    });
    if (cfg.enableH2Upgrade) {
      addr.protocolHint = create(ProtocolHintSchema, { protocol: { case: 'h2', value: {} } });
    }
    if (cfg.meshedHttp2Params !== undefined) addr.http2 = cfg.meshedHttp2Params;
  }
  return addr;
}

function filterCandidates(
  candidates: Candidate[],
  q: EndpointQuery,
  cfg: DestinationConfig,
  clientZone: string | undefined,
): Candidate[] {
  let kept = candidates;
  if (q.hostname !== undefined && q.hostname !== '') kept = kept.filter((c) => c.hostname === q.hostname);
  if (q.service.spec?.internalTrafficPolicy === 'Local') {
    kept = kept.filter((c) => c.pod !== undefined && c.pod.spec?.nodeName === q.nodeName);
  }
  if (kept.length > 0 && kept.every((c) => c.hints !== undefined && c.hints.length > 0)) {
    const inZone = kept.filter((c) => clientZone !== undefined && c.hints?.includes(clientZone));
    if (inZone.length > 0) kept = inZone;
  }
  if (!cfg.enableIPv6) return kept.filter((c) => !isIPv6(c.ip));
  const podsWithV6 = new Set(
    kept.filter((c) => isIPv6(c.ip) && c.pod).map((c) => c.pod?.metadata.uid ?? c.pod?.metadata.name),
  );
  return kept.filter(
    (c) => isIPv6(c.ip) || c.pod === undefined || !podsWithV6.has(c.pod.metadata.uid ?? c.pod.metadata.name),
  );
}

export interface EndpointDiff {
  add: WeightedAddr[];
  remove: TcpAddress[];
}

/** New or changed addresses are re-added; vanished ones removed. */
export function diffEndpointSets(
  prev: ReadonlyMap<string, AddressEntry>,
  next: ReadonlyMap<string, AddressEntry>,
): EndpointDiff {
  const add: WeightedAddr[] = [];
  const remove: TcpAddress[] = [];
  for (const [key, entry] of next) if (prev.get(key)?.version !== entry.version) add.push(entry.addr);
  for (const [key, entry] of prev) if (!next.has(key) && entry.addr.addr !== undefined) remove.push(entry.addr.addr);
  return { add, remove };
}
