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
import type { Pod } from './k8s-types.js';
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

function lookup(deps: InboundDeps, spec: PortSpec): { namespace: string; name: string; port: number } {
  const workload = parseWorkload(spec.workload);
  if (workload === undefined) throw new ConnectError(`Invalid workload: ${spec.workload}`, Code.InvalidArgument);
  if (!(spec.port >= 1 && spec.port <= 65535)) {
    throw new ConnectError(`Invalid port: ${spec.port}`, Code.InvalidArgument);
  }
  // ExternalWorkloads are not indexed by l5d yet: they are unknown servers.
  if (!('pod' in workload)) throw new ConnectError('unknown server', Code.NotFound);
  return { namespace: workload.namespace, name: workload.pod, port: spec.port };
}

function compute(deps: InboundDeps, pod: Pod, port: number): ServerProto {
  return inboundServer(pod, port, deps.index, deps.cfg, (m) => deps.log.warn(m));
}

export function inboundService(deps: InboundDeps): ServiceImpl<typeof InboundServerPolicies> {
  return {
    getPort(spec) {
      const { namespace, name, port } = lookup(deps, spec);
      const pod = deps.index.pod(namespace, name);
      if (pod === undefined) throw new ConnectError('unknown server', Code.NotFound);
      return compute(deps, pod, port);
    },
    watchPort: (spec, ctx) => watchPort(deps, spec, ctx),
  };
}

async function* watchPort(deps: InboundDeps, spec: PortSpec, ctx: HandlerContext): AsyncGenerator<ServerProto> {
  const { namespace, name, port } = lookup(deps, spec);
  if (deps.index.pod(namespace, name) === undefined) throw new ConnectError('unknown server', Code.NotFound);
  let last: ServerProto | undefined;
  yield* followChanges<ServerProto>({
    source: deps.index,
    capacity: deps.streamCapacity,
    signal: ctx.signal,
    relevant: relevantTo(namespace),
    publish(queue) {
      const pod = deps.index.pod(namespace, name);
      // A deleted pod keeps its last policy: the proxy goes away with it.
      if (pod === undefined) return;
      const next = compute(deps, pod, port);
      if (last !== undefined && equals(ServerSchema, last, next)) return;
      last = next;
      queue.push(next);
    },
    onError: (err) => deps.log.error({ err: String(err) }, 'inbound policy computation failed; closing the stream'),
    onOverflow: () => deps.log.warn({ workload: spec.workload, port }, 'inbound policy stream lagged; closing'),
  });
}
