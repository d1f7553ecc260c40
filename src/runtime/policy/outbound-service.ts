// io.linkerd.proxy.outbound.OutboundPolicies: Get and Watch (proxy.md §5.4).
import { equals } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import {
  OutboundPolicySchema,
  type OutboundPolicies,
  type OutboundPolicy,
  type TrafficSpec,
} from '../../proto/gen/outbound_pb.js';
import { parseHostPort, parseServiceName } from '../destination/authority.js';
import { tcpAddressToString } from '../destination/net.js';
import { followChanges } from '../shared/follow.js';
import type { Logger } from '../shared/log.js';
import type { PolicyIndex } from './index.js';
import type { Service } from './k8s-types.js';
import { cidrContains, parseCidr } from './cidr.js';
import { egressFallbackPolicy, serviceOutboundPolicy, type OutboundConfig } from './outbound.js';
import { parseWorkload } from './workload.js';

export interface OutboundDeps {
  index: PolicyIndex;
  cfg: OutboundConfig;
  log: Logger;
  streamCapacity: number;
}

type Target =
  | { kind: 'service'; namespace: string; name: string; port: number; clientNs: string | undefined }
  /** An address outside the cluster networks that no Service claims. */
  | { kind: 'external'; ip: string; port: number };

/**
 * What a TrafficSpec names (upstream's lookup): a Service by ClusterIP or authority, an external
 * address, or NotFound for an in-cluster address that is no Service's, which makes the proxy
 * synthesize its own fallback (proxy.md §3.2).
 */
function resolve(deps: OutboundDeps, spec: TrafficSpec): Target {
  const clientNs = parseWorkload(spec.sourceWorkload)?.namespace;
  const found = (svc: Service, port: number): Target => ({
    kind: 'service',
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name ?? '',
    port,
    clientNs,
  });
  if (spec.target.case === 'addr') {
    const port = spec.target.value.port;
    if (port > 65535) throw new ConnectError('port outside valid range', Code.InvalidArgument);
    if (port === 0) throw new ConnectError('port cannot be zero', Code.InvalidArgument);
    const text = tcpAddressToString(spec.target.value);
    if (text === undefined) throw new ConnectError('traffic target must have an IP', Code.InvalidArgument);
    const ip = text.slice(0, text.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    const svc = deps.index.servicesByClusterIP(ip)[0];
    if (svc !== undefined) return found(svc, port);
    const addr = parseCidr(ip);
    if (!deps.cfg.clusterNetworks.some((net) => cidrContains(net, addr))) return { kind: 'external', ip, port };
    throw new ConnectError('No such service', Code.NotFound);
  }
  if (spec.target.case === 'authority') {
    const invalid = () =>
      new ConnectError(`authority must be of the form <name>.<namespace>.svc.${deps.cfg.clusterDomain}`, Code.NotFound);
    let hostPort;
    let name;
    try {
      hostPort = parseHostPort(spec.target.value);
      name = parseServiceName(hostPort.host, deps.cfg.clusterDomain);
    } catch {
      throw invalid();
    }
    const svc = deps.index.service(name.namespace, name.name);
    if (svc === undefined) throw new ConnectError('No such policy', Code.NotFound);
    return found(svc, hostPort.port);
  }
  throw new ConnectError('target is required', Code.InvalidArgument);
}

function compute(deps: OutboundDeps, t: Target): OutboundPolicy | undefined {
  if (t.kind === 'external') return egressFallbackPolicy(t.ip, t.port);
  const svc = deps.index.service(t.namespace, t.name);
  if (svc === undefined) return undefined;
  return serviceOutboundPolicy(svc, t.port, t.clientNs, deps.index, deps.cfg, (m) => deps.log.warn(m));
}

export function outboundService(deps: OutboundDeps): ServiceImpl<typeof OutboundPolicies> {
  return {
    get(spec) {
      const policy = compute(deps, resolve(deps, spec));
      if (policy === undefined) throw new ConnectError('No such policy', Code.NotFound);
      return policy;
    },
    watch: (spec, ctx) => watch(deps, spec, ctx),
  };
}

async function* watch(deps: OutboundDeps, spec: TrafficSpec, ctx: HandlerContext): AsyncGenerator<OutboundPolicy> {
  const target = resolve(deps, spec);
  let last: OutboundPolicy | undefined;
  yield* followChanges<OutboundPolicy>({
    source: deps.index,
    capacity: deps.streamCapacity,
    signal: ctx.signal,
    relevant: (ns, kind) =>
      target.kind === 'service' &&
      (ns === target.namespace || (target.clientNs !== undefined && ns === target.clientNs && kind !== 'Pod')),
    publish(queue) {
      const next = compute(deps, target);
      if (next === undefined) {
        // The Service went away: end the stream so the proxy looks the address up again.
        queue.close();
        return;
      }
      if (last !== undefined && equals(OutboundPolicySchema, last, next)) return;
      last = next;
      queue.push(next);
    },
    onError: (err) => deps.log.error({ err: String(err) }, 'outbound policy computation failed; closing the stream'),
    onOverflow: () => deps.log.warn({ spec: spec.target.case }, 'outbound policy stream lagged'),
  });
}
