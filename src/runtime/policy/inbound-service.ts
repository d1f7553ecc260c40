// io.linkerd.proxy.inbound.InboundServerPolicies: GetPort and WatchPort (controllers.md §3.4).
import { equals } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import {
  ServerSchema,
  type InboundServerPolicies,
  type PortSpec,
  type Server as ServerProto,
} from '../../proto/gen/inbound_pb.js';
import { followChanges } from '../shared/follow.js';
import type { Logger } from '../shared/log.js';
import type { PolicyIndex } from './index.js';
import { inboundServer, type InboundConfig } from './inbound.js';
import { externalWorkloadPod } from './external-workload.js';
import { parseWorkload } from './workload.js';

export interface InboundDeps {
  index: PolicyIndex;
  cfg: InboundConfig;
  log: Logger;
  streamCapacity: number;
}

/** The namespaces whose objects an answer for a pod in `namespace` depends on. */
function relevantTo(namespace: string): (ns: string, kind: string) => boolean {
  return (ns, kind) => ns === namespace || kind === 'Namespace' || ns === '';
}

interface Target {
  namespace: string;
  name: string;
  port: number;
  external: boolean;
}

function lookup(deps: InboundDeps, spec: PortSpec): Target {
  const workload = parseWorkload(spec.workload);
  if (workload === undefined) throw new ConnectError(`Invalid workload: ${spec.workload}`, Code.InvalidArgument);
  if (!(spec.port >= 1 && spec.port <= 65535)) {
    throw new ConnectError(`Invalid port: ${spec.port}`, Code.InvalidArgument);
  }
  return 'pod' in workload
    ? { namespace: workload.namespace, name: workload.pod, port: spec.port, external: false }
    : { namespace: workload.namespace, name: workload.externalWorkload, port: spec.port, external: true };
}

/** The policy for the target now, or undefined while its workload is not indexed. */
function compute(deps: InboundDeps, t: Target): ServerProto | undefined {
  const warn = (m: string) => deps.log.warn(m);
  if (t.external) {
    const ew = deps.index.externalWorkload(t.namespace, t.name);
    if (ew === undefined) return undefined;
    return inboundServer(externalWorkloadPod(ew), t.port, deps.index, deps.cfg, warn, 'externalWorkloadSelector');
  }
  const pod = deps.index.pod(t.namespace, t.name);
  return pod === undefined ? undefined : inboundServer(pod, t.port, deps.index, deps.cfg, warn);
}

export function inboundService(deps: InboundDeps): ServiceImpl<typeof InboundServerPolicies> {
  return {
    getPort(spec) {
      const server = compute(deps, lookup(deps, spec));
      if (server === undefined) throw new ConnectError('unknown server', Code.NotFound);
      return server;
    },
    watchPort: (spec, ctx) => watchPort(deps, spec, ctx),
  };
}

async function* watchPort(deps: InboundDeps, spec: PortSpec, ctx: HandlerContext): AsyncGenerator<ServerProto> {
  const target = lookup(deps, spec);
  if (compute(deps, target) === undefined) throw new ConnectError('unknown server', Code.NotFound);
  let last: ServerProto | undefined;
  yield* followChanges<ServerProto>({
    source: deps.index,
    capacity: deps.streamCapacity,
    signal: ctx.signal,
    relevant: relevantTo(target.namespace),
    publish(queue) {
      const next = compute(deps, target);
      // A deleted workload keeps its last policy: the proxy goes away with it.
      if (next === undefined) return;
      if (last !== undefined && equals(ServerSchema, last, next)) return;
      last = next;
      queue.push(next);
    },
    onError: (err) => deps.log.error({ err: String(err) }, 'inbound policy computation failed; closing the stream'),
    onOverflow: () =>
      deps.log.warn({ workload: spec.workload, port: target.port }, 'inbound policy stream lagged; closing'),
  });
}
