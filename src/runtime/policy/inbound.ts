// The inbound server policy of one pod port (controllers.md §3.4), computed from a snapshot of the
// indexed resources. Pure: the gRPC layer recomputes it on every relevant change.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  ServerSchema,
  type GrpcRouteSchema,
  type HttpRoute_FilterSchema,
  type HttpRouteSchema,
  type ProxyProtocolSchema,
  type Server as ServerProto,
} from '../../proto/gen/inbound_pb.js';
import { toProtoDuration } from '../shared/proto-duration.js';
import { parsePortList } from '../destination/ports.js';
import { selectorMatches } from '../destination/selector.js';
import {
  authorizationPolicyClient,
  authzToProto,
  compareAuthz,
  serverAuthorizationClient,
  serviceAccountIdentity,
  type AuthenticationLookup,
  type ClientAuthorization,
  type IdentityConfig,
} from './authz.js';
import type { Cidr } from './cidr.js';
import { defaultAuthorization, isDefaultPolicy, requireIdentity, type DefaultPolicy } from './default-policy.js';
import type {
  AuthorizationPolicy,
  GrpcRoute,
  HttpLocalRateLimitPolicy,
  HttpRoute,
  HttpRouteFilter,
  Namespace,
  ParentRef,
  Pod,
  ProbedContainer,
  Server,
  ServerAuthorization,
} from './k8s-types.js';
import { GATEWAY_GROUP, POLICY_ANNOTATIONS, POLICY_GROUP } from './resources.js';
import {
  compareRouteAge,
  grpcRouteMatch,
  headerModifier,
  hostMatch,
  httpRouteMatch,
  requestRedirect,
  type HttpMatchInit,
} from './route-matches.js';

export const DETECT_TIMEOUT_MS = 10_000;

export interface InboundConfig extends IdentityConfig {
  clusterNetworks: readonly Cidr[];
  probeNetworks: readonly Cidr[];
  defaultPolicy: DefaultPolicy;
}

/** What the computation reads from the index, by namespace. */
export interface InboundSnapshot extends AuthenticationLookup {
  namespace(name: string): Namespace | undefined;
  servers(namespace: string): Server[];
  serverAuthorizations(namespace: string): ServerAuthorization[];
  authorizationPolicies(namespace: string): AuthorizationPolicy[];
  httpRoutes(namespace: string): HttpRoute[];
  grpcRoutes(namespace: string): GrpcRoute[];
  rateLimits(namespace: string): HttpLocalRateLimitPolicy[];
}

export interface Warn {
  (message: string): void;
}

type HttpRouteInit = MessageInitShape<typeof HttpRouteSchema>;
type GrpcRouteInit = MessageInitShape<typeof GrpcRouteSchema>;
type ProtocolInit = MessageInitShape<typeof ProxyProtocolSchema>;

/** The effective default policy: pod annotation, then namespace annotation, then the flag. */
export function podDefaultPolicy(pod: Pod, ns: Namespace | undefined, cfg: InboundConfig, warn: Warn): DefaultPolicy {
  for (const source of [pod, ns]) {
    const value = source?.metadata.annotations?.[POLICY_ANNOTATIONS.defaultInboundPolicy];
    if (value === undefined) continue;
    if (isDefaultPolicy(value)) return value;
    warn(`invalid ${POLICY_ANNOTATIONS.defaultInboundPolicy} annotation value: ${value}`);
  }
  return cfg.defaultPolicy;
}

/** Ports of a numeric port-list annotation; a port name invalidates the whole value. */
export function annotatedPorts(pod: Pod, annotation: string, warn: Warn): ReadonlySet<number> {
  const value = pod.metadata.annotations?.[annotation];
  if (value === undefined) return new Set();
  let named = false;
  const ports = parsePortList(
    value,
    () => {
      named = true;
      return [];
    },
    () => undefined,
  );
  if (named) {
    warn(`invalid ${annotation} annotation value: ${value}`);
    return new Set();
  }
  return ports;
}

function containers(pod: Pod): ProbedContainer[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/** The container port a Server's `port` (number or name) names on this pod. */
function serverPortMatches(pod: Pod, server: Server, port: number): boolean {
  const want = server.spec?.port;
  if (typeof want === 'number') return want === port;
  if (typeof want !== 'string') return false;
  if (/^\d+$/.test(want)) return Number(want) === port;
  return containers(pod).some((c) =>
    (c.ports ?? []).some((p) => p.name === want && p.containerPort === port && (p.protocol ?? 'TCP') === 'TCP'),
  );
}

function podLabels(pod: Pod): Record<string, string> {
  return pod.metadata.labels ?? {};
}

/** Which Server selector applies: pods, or ExternalWorkloads (seen through `externalWorkloadPod`). */
export type WorkloadSelector = 'podSelector' | 'externalWorkloadSelector';

/** The Server for this pod port: the oldest (then first by name) among those that select it. */
export function selectServer(
  pod: Pod,
  port: number,
  servers: readonly Server[],
  selector: WorkloadSelector = 'podSelector',
): Server | undefined {
  return servers
    .filter((s) => selectorMatches(s.spec?.[selector], podLabels(pod)) && serverPortMatches(pod, s, port))
    .sort((a, b) =>
      compareRouteAge(
        { created: a.metadata.creationTimestamp, name: a.metadata.name ?? '' },
        { created: b.metadata.creationTimestamp, name: b.metadata.name ?? '' },
      ),
    )[0];
}

/** Exact paths of the pod's HTTP probes on `port` (liveness, readiness, startup), sorted. */
export function probePaths(pod: Pod, port: number): string[] {
  const paths = new Set<string>();
  for (const c of containers(pod)) {
    for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      const get = probe?.httpGet;
      if (get === undefined) continue;
      const probePort =
        typeof get.port === 'number'
          ? get.port
          : /^\d+$/.test(get.port ?? '')
            ? Number(get.port)
            : c.ports?.find((p) => p.name === get.port)?.containerPort;
      if (probePort === port) paths.add(get.path ?? '/');
    }
  }
  return [...paths].sort();
}

function defaultHttpRoutes(pod: Pod, port: number, cfg: InboundConfig): HttpRouteInit[] {
  const routes: HttpRouteInit[] = [
    {
      metadata: { kind: { case: 'default', value: 'default' } },
      rules: [{ matches: [{ path: { kind: { case: 'prefix', value: '/' } } }] }],
    },
  ];
  const paths = cfg.probeNetworks.length === 0 ? [] : probePaths(pod, port);
  if (paths.length > 0) {
    const probe: ClientAuthorization = {
      ref: { kind: 'default', name: 'probe' },
      networks: cfg.probeNetworks.map((net) => ({ net, except: [] })),
      authn: { kind: 'unauthenticated' },
    };
    routes.push({
      metadata: { kind: { case: 'default', value: 'probe' } },
      authorizations: [authzToProto(probe, cfg.clusterNetworks)],
      rules: [
        {
          matches: paths.map((value): HttpMatchInit => ({
            path: { kind: { case: 'exact', value } },
            method: { type: { case: 'registered', value: 0 } },
          })),
        },
      ],
    });
  }
  return routes;
}

function detect(httpRoutes: HttpRouteInit[]): ProtocolInit {
  return { kind: { case: 'detect', value: { timeout: toProtoDuration(DETECT_TIMEOUT_MS), httpRoutes } } };
}

function defaultServer(pod: Pod, port: number, snap: InboundSnapshot, cfg: InboundConfig, warn: Warn): ServerProto {
  const ns = snap.namespace(pod.metadata.namespace ?? '');
  let policy = podDefaultPolicy(pod, ns, cfg, warn);
  if (annotatedPorts(pod, POLICY_ANNOTATIONS.requireIdentityPorts, warn).has(port)) policy = requireIdentity(policy);
  const opaque = annotatedPorts(pod, POLICY_ANNOTATIONS.opaquePorts, warn).has(port);
  const authz = defaultAuthorization(policy, cfg.clusterNetworks);
  return create(ServerSchema, {
    protocol: opaque ? { kind: { case: 'opaque', value: {} } } : detect(defaultHttpRoutes(pod, port, cfg)),
    authorizations: authz === undefined ? [] : [authzToProto(authz, cfg.clusterNetworks)],
    labels: { group: '', kind: 'default', name: policy },
  });
}

function targetsServer(ref: ParentRef, routeNs: string, server: Server): boolean {
  return (
    (ref.group ?? GATEWAY_GROUP) === POLICY_GROUP &&
    (ref.kind ?? '').toLowerCase() === 'server' &&
    ref.name === server.metadata.name &&
    (ref.namespace ?? routeNs) === server.metadata.namespace
  );
}

function routeKey(route: HttpRoute | GrpcRoute) {
  return { created: route.metadata.creationTimestamp, name: route.metadata.name ?? '' };
}

function routeGroup(route: HttpRoute | GrpcRoute): string {
  return (route.apiVersion ?? '').split('/')[0] ?? '';
}

/** Authorizations of AuthorizationPolicies in the namespace that target the given resource. */
function policyAuthorizations(
  snap: InboundSnapshot,
  namespace: string,
  cfg: InboundConfig,
  targets: (policy: AuthorizationPolicy) => boolean,
  warn: Warn,
): ClientAuthorization[] {
  const out: ClientAuthorization[] = [];
  for (const policy of snap.authorizationPolicies(namespace)) {
    if (!targets(policy)) continue;
    try {
      out.push(authorizationPolicyClient(policy, snap, cfg));
    } catch (err) {
      warn(`AuthorizationPolicy ${namespace}/${policy.metadata.name ?? ''}: ${(err as Error).message}`);
    }
  }
  return out.sort(compareAuthz);
}

function targetIs(policy: AuthorizationPolicy, group: string, kind: string, name: string): boolean {
  const t = policy.spec?.targetRef;
  return t !== undefined && (t.group ?? '') === group && t.kind.toLowerCase() === kind.toLowerCase() && t.name === name;
}

function httpFilters(filters: HttpRouteFilter[] | undefined) {
  const out: MessageInitShape<typeof HttpRoute_FilterSchema>[] = [];
  for (const f of filters ?? []) {
    if (f.type === 'RequestHeaderModifier' && f.requestHeaderModifier !== undefined) {
      out.push({ kind: { case: 'requestHeaderModifier', value: headerModifier(f.requestHeaderModifier) } });
    } else if (f.type === 'RequestRedirect' && f.requestRedirect !== undefined) {
      out.push({ kind: { case: 'redirect', value: requestRedirect(f.requestRedirect) } });
    }
  }
  return out;
}

function serverHttpRoutes(
  server: Server,
  pod: Pod,
  port: number,
  snap: InboundSnapshot,
  cfg: InboundConfig,
  warn: Warn,
): HttpRouteInit[] {
  const ns = server.metadata.namespace ?? '';
  const attached = snap
    .httpRoutes(ns)
    .filter((r) => (r.spec?.parentRefs ?? []).some((p) => targetsServer(p, ns, server)))
    .sort((a, b) => compareRouteAge(routeKey(a), routeKey(b)));
  if (attached.length === 0) return defaultHttpRoutes(pod, port, cfg);
  const routes: HttpRouteInit[] = [];
  for (const route of attached) {
    const group = routeGroup(route);
    const name = route.metadata.name ?? '';
    try {
      const authz = policyAuthorizations(snap, ns, cfg, (p) => targetIs(p, group, 'HTTPRoute', name), warn);
      routes.push({
        metadata: { kind: { case: 'resource', value: { group, kind: 'HTTPRoute', name } } },
        hosts: (route.spec?.hostnames ?? []).map(hostMatch),
        authorizations: authz.map((a) => authzToProto(a, cfg.clusterNetworks)),
        rules: (route.spec?.rules ?? []).map((rule) => ({
          matches: (rule.matches ?? []).map(httpRouteMatch),
          filters: httpFilters(rule.filters),
        })),
      });
    } catch (err) {
      warn(`HTTPRoute ${ns}/${name}: ${(err as Error).message}`);
    }
  }
  return routes;
}

function serverGrpcRoutes(server: Server, snap: InboundSnapshot, cfg: InboundConfig, warn: Warn): GrpcRouteInit[] {
  const ns = server.metadata.namespace ?? '';
  const attached = snap
    .grpcRoutes(ns)
    .filter((r) => (r.spec?.parentRefs ?? []).some((p) => targetsServer(p, ns, server)))
    .sort((a, b) => compareRouteAge(routeKey(a), routeKey(b)));
  if (attached.length === 0) {
    return [{ metadata: { kind: { case: 'default', value: 'default' } }, rules: [{ matches: [{}] }] }];
  }
  return attached.map((route) => {
    const name = route.metadata.name ?? '';
    const authz = policyAuthorizations(snap, ns, cfg, (p) => targetIs(p, GATEWAY_GROUP, 'GRPCRoute', name), warn);
    return {
      metadata: { kind: { case: 'resource', value: { group: GATEWAY_GROUP, kind: 'GRPCRoute', name } } },
      hosts: (route.spec?.hostnames ?? []).map(hostMatch),
      authorizations: authz.map((a) => authzToProto(a, cfg.clusterNetworks)),
      rules: (route.spec?.rules ?? []).map((rule) => ({
        matches: (rule.matches ?? []).map(grpcRouteMatch),
        filters: (rule.filters ?? []).flatMap((f) =>
          f.type === 'RequestHeaderModifier' && f.requestHeaderModifier !== undefined
            ? [{ kind: { case: 'requestHeaderModifier' as const, value: headerModifier(f.requestHeaderModifier) } }]
            : [],
        ),
      })),
    };
  });
}

function serverAuthorizations(server: Server, snap: InboundSnapshot, cfg: InboundConfig, warn: Warn) {
  const ns = server.metadata.namespace ?? '';
  const out: ClientAuthorization[] = [];
  for (const saz of snap.serverAuthorizations(ns)) {
    const target = saz.spec?.server;
    const selects =
      target?.name !== undefined
        ? target.name === server.metadata.name
        : selectorMatches(target?.selector, server.metadata.labels ?? {});
    if (!selects) continue;
    try {
      out.push(serverAuthorizationClient(saz, cfg));
    } catch (err) {
      warn(`ServerAuthorization ${ns}/${saz.metadata.name ?? ''}: ${(err as Error).message}`);
    }
  }
  const name = server.metadata.name ?? '';
  out.push(
    ...policyAuthorizations(
      snap,
      ns,
      cfg,
      (p) => targetIs(p, POLICY_GROUP, 'Server', name) || targetIs(p, '', 'Namespace', ns),
      warn,
    ),
  );
  const access = server.spec?.accessPolicy;
  if (access !== undefined && isDefaultPolicy(access)) {
    const authz = defaultAuthorization(access, cfg.clusterNetworks);
    if (authz !== undefined) out.push(authz);
  }
  return out.sort(compareAuthz);
}

/** The oldest HTTPLocalRateLimitPolicy targeting the Server, in its proto form. */
export function serverRateLimit(server: Server, snap: InboundSnapshot, cfg: InboundConfig) {
  const ns = server.metadata.namespace ?? '';
  const policy = snap
    .rateLimits(ns)
    .filter((p) => {
      const t = p.spec?.targetRef;
      return (
        t !== undefined &&
        (t.group ?? POLICY_GROUP) === POLICY_GROUP &&
        eqKind(t.kind, 'Server') &&
        t.name === server.metadata.name
      );
    })
    .sort((a, b) =>
      compareRouteAge(
        { created: a.metadata.creationTimestamp, name: a.metadata.name ?? '' },
        { created: b.metadata.creationTimestamp, name: b.metadata.name ?? '' },
      ),
    )[0];
  if (policy === undefined) return undefined;
  const spec = policy.spec ?? {};
  const limit = (l: { requestsPerSecond: number } | undefined) =>
    l === undefined ? undefined : { requestsPerSecond: l.requestsPerSecond };
  const total = limit(spec.total);
  const identity = limit(spec.identity);
  return {
    metadata: {
      kind: {
        case: 'resource' as const,
        value: { group: POLICY_GROUP, kind: 'HTTPLocalRateLimitPolicy', name: policy.metadata.name ?? '' },
      },
    },
    ...(total === undefined ? {} : { total }),
    ...(identity === undefined ? {} : { identity }),
    overrides: (spec.overrides ?? []).map((o) => ({
      limit: { requestsPerSecond: o.requestsPerSecond },
      clients: {
        identities: (o.clientRefs ?? [])
          .filter((r) => eqKind(r.kind, 'ServiceAccount'))
          .map((r) => ({ name: serviceAccountIdentity(cfg, r.namespace ?? ns, r.name) })),
      },
    })),
  };
}

function eqKind(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function serverProtocol(server: Server, pod: Pod, port: number, snap: InboundSnapshot, cfg: InboundConfig, warn: Warn) {
  const http = () => serverHttpRoutes(server, pod, port, snap, cfg, warn);
  const rateLimit = serverRateLimit(server, snap, cfg);
  const limited = rateLimit === undefined ? {} : { localRateLimit: rateLimit };
  switch (server.spec?.proxyProtocol ?? 'unknown') {
    case 'HTTP/1':
      return { kind: { case: 'http1' as const, value: { routes: http(), ...limited } } };
    case 'HTTP/2':
      return { kind: { case: 'http2' as const, value: { routes: http(), ...limited } } };
    case 'gRPC':
      return { kind: { case: 'grpc' as const, value: { routes: serverGrpcRoutes(server, snap, cfg, warn) } } };
    case 'opaque':
      return { kind: { case: 'opaque' as const, value: {} } };
    case 'TLS':
      return { kind: { case: 'tls' as const, value: {} } };
    default: {
      const d = detect(http());
      if (rateLimit !== undefined && d.kind?.case === 'detect') d.kind.value.httpLocalRateLimit = rateLimit;
      return d;
    }
  }
}

/** The Server message for `port` of `pod`. */
export function inboundServer(
  pod: Pod,
  port: number,
  snap: InboundSnapshot,
  cfg: InboundConfig,
  warn: Warn = () => undefined,
  selector: WorkloadSelector = 'podSelector',
): ServerProto {
  const server = selectServer(pod, port, snap.servers(pod.metadata.namespace ?? ''), selector);
  if (server === undefined) return defaultServer(pod, port, snap, cfg, warn);
  return create(ServerSchema, {
    protocol: serverProtocol(server, pod, port, snap, cfg, warn),
    authorizations: serverAuthorizations(server, snap, cfg, warn).map((a) => authzToProto(a, cfg.clusterNetworks)),
    labels: { group: POLICY_GROUP, kind: 'server', name: server.metadata.name ?? '' },
  });
}
