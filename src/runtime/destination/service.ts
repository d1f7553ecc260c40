import { create, equals } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import {
  DestinationProfileSchema,
  UpdateSchema,
  WeightedAddrSchema,
  type Destination,
  type DestinationProfile,
  type GetDestination,
  type Update,
} from '../../proto/gen/destination_pb.js';
import type { Logger } from '../shared/log.js';
import { podAddress } from './address.js';
import {
  isIpLiteral,
  parseContextToken,
  parseHostPort,
  parseServiceName,
  type ContextToken,
  type HostPort,
} from './authority.js';
import { isLivePod, type ClusterState } from './cluster.js';
import { ANNOTATIONS, ENDPOINT_WEIGHT, type DestinationConfig } from './config.js';
import { buildEndpointSet, diffEndpointSets, type AddressEntry } from './endpoints.js';
import type { Pod, Service } from './k8s-types.js';
import type { DestinationMetrics } from './metrics.js';
import { tcpAddress } from './net.js';
import { parsePortList } from './ports.js';
import { defaultRetryBudget, serviceProfileToProto } from './profile.js';
import { followChanges } from '../shared/follow.js';
import type { StreamQueue } from '../shared/stream-queue.js';
import { clusterView } from './view.js';
import { podOpaquePorts, serverMarksOpaque } from './workload.js';

export interface DestinationDeps {
  state: ClusterState;
  cfg: DestinationConfig;
  log: Logger;
  metrics: DestinationMetrics;
}

const invalidAuthority = (path: string) => new ConnectError(`Invalid authority: ${path}`, Code.InvalidArgument);

/** Destination.Get and Destination.GetProfile (controllers.md §2.3–2.8). */
export function destinationService(deps: DestinationDeps): ServiceImpl<typeof Destination> {
  return {
    get: (req, ctx) => getEndpoints(deps, req, ctx),
    getProfile: (req, ctx) => getProfile(deps, req, ctx),
  };
}

function parsePath(path: string): HostPort {
  try {
    return parseHostPort(path);
  } catch {
    throw invalidAuthority(path);
  }
}

/**
 * Feeds a stream from cache changes: `publish` runs once now and again (coalesced) after every
 * change for which `relevant` holds, until the client goes away or the queue overflows.
 */
function follow<T>(
  deps: DestinationDeps,
  ctx: HandlerContext,
  relevant: (namespace: string, kind: string) => boolean,
  publish: (queue: StreamQueue<T>) => void,
  onOverflow: () => void,
): AsyncGenerator<T> {
  return followChanges({
    source: deps.state,
    capacity: deps.cfg.streamQueueCapacity,
    signal: ctx.signal,
    relevant,
    publish,
    onOverflow,
  });
}

async function* getEndpoints(deps: DestinationDeps, req: GetDestination, ctx: HandlerContext): AsyncGenerator<Update> {
  const { state, cfg, log, metrics } = deps;
  const { host, port } = parsePath(req.path);
  if (isIpLiteral(host)) {
    throw new ConnectError(`IP queries not supported by Get API: host=${host}`, Code.InvalidArgument);
  }
  let target;
  try {
    target = parseServiceName(host, cfg.clusterDomain);
  } catch {
    throw invalidAuthority(req.path);
  }
  const { name, namespace } = target;
  const svc = state.services.get(namespace, name);
  if (svc === undefined) throw new ConnectError(`Service ${name}.${namespace} not found`, Code.NotFound);
  if (svc.spec?.type === 'ExternalName') throw invalidAuthority(req.path);
  const token = parseContextToken(req.contextToken, (m) => log.warn(m));
  const labels = {
    cluster: 'local',
    namespace,
    service: name,
    port: String(port),
    hostname: target.instance ?? '',
    nodename: token.nodeName ?? '',
  };
  const view = clusterView(state);
  let sent = new Map<string, AddressEntry>();
  metrics.endpointsSubscribers.inc(labels);
  log.debug({ path: req.path, token: req.contextToken }, 'Get');
  try {
    yield* follow<Update>(
      deps,
      ctx,
      (ns, kind) => ns === namespace && kind !== 'ServiceProfile',
      (queue) => {
        const current = state.services.get(namespace, name);
        const next =
          current === undefined
            ? new Map<string, AddressEntry>()
            : buildEndpointSet(
                {
                  service: current,
                  slices: state.slicesOf(namespace, name),
                  requestedPort: port,
                  ...(target.instance === undefined ? {} : { hostname: target.instance }),
                  ...(token.nodeName === undefined ? {} : { nodeName: token.nodeName }),
                },
                cfg,
                view,
                (msg) => log.error(msg),
                sent,
              );
        const diff = diffEndpointSets(sent, next);
        sent = next;
        if (diff.add.length > 0) {
          metrics.endpointsUpdates.inc(labels);
          queue.push(
            create(UpdateSchema, {
              update: { case: 'add', value: { addrs: diff.add, metricLabels: { service: name, namespace } } },
            }),
          );
        }
        if (diff.remove.length > 0) {
          metrics.endpointsUpdates.inc(labels);
          queue.push(create(UpdateSchema, { update: { case: 'remove', value: { addrs: diff.remove } } }));
        }
      },
      () => {
        metrics.endpointOverflow.inc({ service: `${name}.${namespace}.svc.${cfg.clusterDomain}:${port}` });
        log.error('endpoint update queue full; aborting stream');
      },
    );
  } finally {
    metrics.endpointsSubscribers.dec(labels);
  }
}

async function* getProfile(
  deps: DestinationDeps,
  req: GetDestination,
  ctx: HandlerContext,
): AsyncGenerator<DestinationProfile> {
  const { state, cfg, log } = deps;
  const { host, port } = parsePath(req.path);
  const token = parseContextToken(req.contextToken, (m) => log.warn(m));
  if (isIpLiteral(host)) {
    const services = state.services.byIndex('clusterIP', host);
    if (services.length > 1) {
      throw new ConnectError(
        `found ${services.length} services with conflicting cluster IP ${host}`,
        Code.FailedPrecondition,
      );
    }
    const svc = services[0];
    if (svc !== undefined) {
      yield* serviceProfile(deps, req, ctx, svc.metadata.namespace ?? '', svc.metadata.name ?? '', port, token);
      return;
    }
    yield* endpointProfile(deps, ctx, host, port);
    return;
  }
  let target;
  try {
    target = parseServiceName(host, cfg.clusterDomain);
  } catch {
    throw invalidAuthority(req.path);
  }
  if (target.instance !== undefined) {
    const ip = instanceIP(state, target.namespace, target.name, target.instance);
    if (ip === undefined) {
      throw new ConnectError(
        `no pod found in EndpointSlices of Service ${target.namespace}/${target.name} for hostname ${target.instance}`,
        Code.NotFound,
      );
    }
    yield* endpointProfile(deps, ctx, ip, port);
    return;
  }
  yield* serviceProfile(deps, req, ctx, target.namespace, target.name, port, token);
}

function instanceIP(state: ClusterState, namespace: string, service: string, hostname: string): string | undefined {
  for (const slice of state.slicesOf(namespace, service)) {
    for (const ep of slice.endpoints ?? []) {
      if (ep.hostname !== hostname) continue;
      if (ep.targetRef?.kind === 'Pod') {
        const pod = state.pods.get(ep.targetRef.namespace ?? namespace, ep.targetRef.name ?? '');
        if (pod?.status?.podIP) return pod.status.podIP;
      }
      if (ep.addresses[0] !== undefined) return ep.addresses[0];
    }
  }
  return undefined;
}

/** The Service's opaque ports: its annotation (port names resolved) else the default list. */
export function serviceOpaquePorts(svc: Service, defaults: ReadonlySet<number>): ReadonlySet<number> {
  const value = svc.metadata.annotations?.[ANNOTATIONS.opaquePorts];
  if (value === undefined) return defaults;
  return parsePortList(value, (n) => (svc.spec?.ports ?? []).filter((p) => p.name === n).map((p) => p.port));
}

async function* serviceProfile(
  deps: DestinationDeps,
  req: GetDestination,
  ctx: HandlerContext,
  namespace: string,
  name: string,
  port: number,
  token: ContextToken,
): AsyncGenerator<DestinationProfile> {
  const { state, cfg, log, metrics } = deps;
  const svc = state.services.get(namespace, name);
  if (svc === undefined) throw new ConnectError(`service "${name}" not found`, Code.Unknown);
  if (!(svc.spec?.ports ?? []).some((p) => p.port === port)) {
    // No such port: an empty profile, and the proxy falls back to the policy API.
    yield create(DestinationProfileSchema, {});
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    return;
  }
  if (svc.spec?.type === 'ExternalName') throw invalidAuthority(req.path);
  const fqn = `${name}.${namespace}.svc.${cfg.clusterDomain}`;
  const clientNs = token.ns !== undefined && token.ns !== '' ? token.ns : undefined;
  const labels = { namespace, profile: fqn };
  let last: DestinationProfile | undefined;
  metrics.profileSubscribers.inc(labels);
  try {
    yield* follow<DestinationProfile>(
      deps,
      ctx,
      (ns, kind) => (kind === 'Service' || kind === 'ServiceProfile') && (ns === namespace || ns === clientNs),
      (queue) => {
        const current = state.services.get(namespace, name);
        if (current === undefined) return;
        const profile =
          (clientNs === undefined ? undefined : state.profiles.get(clientNs, fqn)) ??
          state.profiles.get(namespace, fqn);
        let next: DestinationProfile;
        try {
          next = serviceProfileToProto({
            fqn,
            service: { name, namespace },
            port,
            opaque: serviceOpaquePorts(current, cfg.defaultOpaquePorts).has(port),
            ...(profile === undefined ? {} : { profile }),
            warn: (m) => log.warn(m),
          });
        } catch (err) {
          log.error(`Failed to translate ServiceProfile for ${fqn}: ${(err as Error).message}`);
          return;
        }
        if (last !== undefined && equals(DestinationProfileSchema, last, next)) return;
        last = next;
        metrics.profileUpdates.inc(labels);
        queue.push(next);
      },
      () => {
        metrics.profileOverflow.inc({ fqn, port: String(port) });
        log.error('profile update queue full; aborting stream');
      },
    );
  } finally {
    metrics.profileSubscribers.dec(labels);
  }
}

async function* endpointProfile(
  deps: DestinationDeps,
  ctx: HandlerContext,
  ip: string,
  port: number,
): AsyncGenerator<DestinationProfile> {
  const { state, cfg, log, metrics } = deps;
  const view = clusterView(state);
  const findPod = (): Pod | undefined => {
    const running = (pods: Pod[]) => pods.filter((p) => isLivePod(p) && p.status?.phase === 'Running');
    const byIP = running(state.podsByIP(ip));
    if (byIP.length > 1) {
      throw new ConnectError(
        `found ${byIP.length} pods with a conflicting pod network IP ${ip}`,
        Code.FailedPrecondition,
      );
    }
    if (byIP[0] !== undefined) return byIP[0];
    const byHost = running(state.podsByHostPort(ip, port));
    if (byHost.length > 1) {
      throw new ConnectError(
        `found ${byHost.length} pods with a conflicting host network endpoint ${ip}:${port}`,
        Code.FailedPrecondition,
      );
    }
    return byHost[0];
  };
  findPod(); // surfaces conflicts as the stream's status before anything is sent
  let last: DestinationProfile | undefined;
  metrics.workloadSubscribers.inc();
  try {
    yield* follow<DestinationProfile>(
      deps,
      ctx,
      (_ns, kind) => kind === 'Pod' || kind === 'Server',
      (queue) => {
        let pod: Pod | undefined;
        try {
          pod = findPod();
        } catch (err) {
          log.error((err as Error).message);
          return;
        }
        const next = create(DestinationProfileSchema, { retryBudget: defaultRetryBudget() });
        if (pod === undefined) {
          next.endpoint = create(WeightedAddrSchema, { addr: tcpAddress(ip, port), weight: ENDPOINT_WEIGHT });
          next.opaqueProtocol = cfg.defaultOpaquePorts.has(port);
        } else {
          const result = podAddress({ pod, ip, port }, cfg, view);
          if (!result.ok) {
            log.error(result.error);
            return;
          }
          result.addr.metricLabels.namespace = pod.metadata.namespace ?? '';
          next.endpoint = result.addr;
          next.opaqueProtocol =
            podOpaquePorts(pod, cfg.defaultOpaquePorts).has(port) ||
            serverMarksOpaque(pod, port, view.serversIn(pod.metadata.namespace ?? ''));
        }
        if (last !== undefined && equals(DestinationProfileSchema, last, next)) return;
        last = next;
        metrics.workloadUpdates.inc();
        queue.push(next);
      },
      () => {
        metrics.endpointProfileOverflow.inc({ fqn: ip, port: String(port) });
        log.error('endpoint profile update queue full; aborting stream');
      },
    );
  } finally {
    metrics.workloadSubscribers.dec();
  }
}
