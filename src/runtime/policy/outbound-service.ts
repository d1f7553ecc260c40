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
import { serviceOutboundPolicy, type OutboundConfig } from './outbound.js';
import { parseWorkload } from './workload.js';

export interface OutboundDeps {
  index: PolicyIndex;
  cfg: OutboundConfig;
  log: Logger;
  streamCapacity: number;
}

interface Target {
  namespace: string;
  name: string;
  port: number;
  clientNs: string | undefined;
}

/**
 * The Service a TrafficSpec names, by ClusterIP or by authority. Anything else is NotFound, which
 * makes the proxy synthesize its fallback policy (proxy.md §3.2).
 */
function resolve(deps: OutboundDeps, spec: TrafficSpec): Target {
  const clientNs = parseWorkload(spec.sourceWorkload)?.namespace;
  const found = (svc: Service, port: number): Target => ({
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name ?? '',
    port,
    clientNs,
  });
  if (spec.target.case === 'addr') {
    const text = tcpAddressToString(spec.target.value);
    const port = spec.target.value.port;
    if (text === undefined || !(port >= 1 && port <= 65535)) {
      throw new ConnectError('invalid target address', Code.InvalidArgument);
    }
    const ip = text.slice(0, text.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    const svc = deps.index.servicesByClusterIP(ip)[0];
    if (svc === undefined) throw new ConnectError(`no Service found for address ${text}`, Code.NotFound);
    return found(svc, port);
  }
  if (spec.target.case === 'authority') {
    let hostPort;
    let name;
    try {
      hostPort = parseHostPort(spec.target.value);
      name = parseServiceName(hostPort.host, deps.cfg.clusterDomain);
    } catch {
      throw new ConnectError(`authority is not a Service: ${spec.target.value}`, Code.NotFound);
    }
    const svc = deps.index.service(name.namespace, name.name);
    if (svc === undefined) throw new ConnectError(`no Service found for ${spec.target.value}`, Code.NotFound);
    return found(svc, hostPort.port);
  }
  throw new ConnectError('target is required', Code.InvalidArgument);
}

function compute(deps: OutboundDeps, t: Target): OutboundPolicy | undefined {
  const svc = deps.index.service(t.namespace, t.name);
  if (svc === undefined) return undefined;
  return serviceOutboundPolicy(svc, t.port, t.clientNs, deps.index, deps.cfg, (m) => deps.log.warn(m));
}

export function outboundService(deps: OutboundDeps): ServiceImpl<typeof OutboundPolicies> {
  return {
    get(spec) {
      const policy = compute(deps, resolve(deps, spec));
      if (policy === undefined) throw new ConnectError('no such Service', Code.NotFound);
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
      ns === target.namespace || (target.clientNs !== undefined && ns === target.clientNs && kind !== 'Pod'),
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
    onOverflow: () => deps.log.warn({ service: `${target.namespace}/${target.name}` }, 'outbound policy stream lagged'),
  });
}
