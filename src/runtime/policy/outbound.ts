// The outbound policy of a Service port (proxy.md §5.4), computed from a snapshot of the index.
// Pure: the gRPC layer recomputes it on every relevant change.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  OutboundPolicySchema,
  type BackendSchema,
  type GrpcRoute_FilterSchema,
  type GrpcRouteSchema,
  type HttpRoute_FilterSchema,
  type HttpRouteSchema,
  type OpaqueRouteSchema,
  type OutboundPolicy,
} from '../../proto/gen/outbound_pb.js';
import type { MetadataSchema } from '../../proto/gen/meta_pb.js';
import { toProtoDuration } from '../shared/proto-duration.js';
import { tcpAddress } from '../destination/net.js';
import type { Cidr } from './cidr.js';
import { serviceOpaquePorts } from '../destination/service.js';
import type { BackendRef, GrpcRoute, HttpRoute, HttpRouteFilter, L4Route, ParentRef, Service } from './k8s-types.js';
import {
  annotationFailureAccrual,
  annotationGrpcRetry,
  annotationHttpRetry,
  annotationTimeouts,
  type TimeoutsInit,
} from './route-annotations.js';
import {
  compareRouteAge,
  grpcRouteMatch,
  headerModifier,
  hostMatch,
  httpRouteMatch,
  requestRedirect,
} from './route-matches.js';
import { parseProxyDuration } from '../shared/data-plane-duration.js';

export const OUTBOUND_DETECT_TIMEOUT_MS = 10_000;

export interface OutboundConfig {
  clusterDomain: string;
  /** Addresses outside these that no Service claims get the egress fallback. */
  clusterNetworks: readonly Cidr[];
  defaultOpaquePorts: ReadonlySet<number>;
  allowL5dRequestHeaders: boolean;
}

export interface OutboundSnapshot {
  service(namespace: string, name: string): Service | undefined;
  httpRoutes(namespace: string): HttpRoute[];
  grpcRoutes(namespace: string): GrpcRoute[];
  tlsRoutes(namespace: string): L4Route[];
  tcpRoutes(namespace: string): L4Route[];
}

type Warn = (message: string) => void;
type MetadataInit = MessageInitShape<typeof MetadataSchema>;
type BackendInit = MessageInitShape<typeof BackendSchema>;
type HttpRouteInit = MessageInitShape<typeof HttpRouteSchema>;
type GrpcRouteInit = MessageInitShape<typeof GrpcRouteSchema>;
type OpaqueRouteInit = MessageInitShape<typeof OpaqueRouteSchema>;

function serviceMeta(svc: Service, port: number): MetadataInit {
  return {
    kind: {
      case: 'resource',
      value: {
        group: 'core',
        kind: 'Service',
        name: svc.metadata.name ?? '',
        namespace: svc.metadata.namespace ?? '',
        port,
      },
    },
  };
}

/** A P2C balancer over the Service's endpoints, with upstream's defaults (proxy.md §5.4). */
export function serviceBackend(svc: Service, port: number, cfg: OutboundConfig): BackendInit {
  const path = `${svc.metadata.name ?? ''}.${svc.metadata.namespace ?? ''}.svc.${cfg.clusterDomain}:${port}`;
  return {
    metadata: serviceMeta(svc, port),
    queue: { capacity: 100, failfastTimeout: toProtoDuration(3000) },
    kind: {
      case: 'balancer',
      value: {
        discovery: { kind: { case: 'dst', value: { path } } },
        load: { case: 'peakEwma', value: { defaultRtt: toProtoDuration(30), decay: toProtoDuration(10_000) } },
      },
    },
  };
}

function attaches(ref: ParentRef, routeNs: string, svc: Service, port: number): boolean {
  const group = ref.group ?? '';
  return (
    (group === '' || group === 'core') &&
    ref.kind === 'Service' &&
    ref.name === svc.metadata.name &&
    (ref.namespace ?? routeNs) === svc.metadata.namespace &&
    (ref.port === undefined || ref.port === port)
  );
}

/**
 * Routes for the Service port: the client namespace's own (consumer) routes when it has any,
 * otherwise the Service namespace's (producer) routes.
 */
function attachedRoutes<R extends HttpRoute | GrpcRoute | L4Route>(
  list: (ns: string) => R[],
  svc: Service,
  port: number,
  clientNs: string | undefined,
): R[] {
  const svcNs = svc.metadata.namespace ?? '';
  const pick = (ns: string) =>
    list(ns)
      .filter((r) => (r.spec?.parentRefs ?? []).some((p) => attaches(p, ns, svc, port)))
      .sort((a, b) =>
        compareRouteAge(
          { created: a.metadata.creationTimestamp, name: a.metadata.name ?? '' },
          { created: b.metadata.creationTimestamp, name: b.metadata.name ?? '' },
        ),
      );
  if (clientNs !== undefined && clientNs !== svcNs) {
    const consumer = pick(clientNs);
    if (consumer.length > 0) return consumer;
  }
  return pick(svcNs);
}

function routeMeta(route: HttpRoute | GrpcRoute | L4Route, kind: string): MetadataInit {
  return {
    kind: {
      case: 'resource',
      value: {
        group: (route.apiVersion ?? '').split('/')[0] ?? '',
        kind,
        name: route.metadata.name ?? '',
        namespace: route.metadata.namespace ?? '',
      },
    },
  };
}

function httpFilters(filters: HttpRouteFilter[] | undefined): MessageInitShape<typeof HttpRoute_FilterSchema>[] {
  const out: MessageInitShape<typeof HttpRoute_FilterSchema>[] = [];
  for (const f of filters ?? []) {
    if (f.type === 'RequestHeaderModifier' && f.requestHeaderModifier !== undefined) {
      out.push({ kind: { case: 'requestHeaderModifier', value: headerModifier(f.requestHeaderModifier) } });
    } else if (f.type === 'ResponseHeaderModifier' && f.responseHeaderModifier !== undefined) {
      out.push({ kind: { case: 'responseHeaderModifier', value: headerModifier(f.responseHeaderModifier) } });
    } else if (f.type === 'RequestRedirect' && f.requestRedirect !== undefined) {
      out.push({ kind: { case: 'redirect', value: requestRedirect(f.requestRedirect) } });
    }
  }
  return out;
}

/** A backendRef's Backend; a missing Service fails its requests with 500, as upstream does. */
/**
 * A route rule's backend distribution: the parent Service when the rule names no backend, otherwise
 * its weighted backendRefs, each with its filters and, for a ref that cannot be resolved, a failure
 * injector answering in the route's protocol.
 */
function distribution<F>(
  refs: BackendRef[],
  parent: () => BackendInit,
  resolve: (ref: BackendRef) => { backend: BackendInit; invalid?: string | undefined },
  per: { filtersOf: (ref: BackendRef) => F[]; failure: (message: string) => F },
) {
  if (refs.length === 0) {
    return { kind: { case: 'firstAvailable' as const, value: { backends: [{ backend: parent() }] } } };
  }
  const backends = refs.map((ref) => {
    const { backend, invalid } = resolve(ref);
    const filters = per.filtersOf(ref);
    if (invalid !== undefined) filters.push(per.failure(invalid));
    return { backend: { backend, filters }, weight: ref.weight ?? 1 };
  });
  return { kind: { case: 'randomAvailable' as const, value: { backends } } };
}

function refBackend(
  ref: BackendRef,
  routeNs: string,
  snap: OutboundSnapshot,
  cfg: OutboundConfig,
): { backend: BackendInit; invalid?: string } {
  const ns = ref.namespace ?? routeNs;
  const port = ref.port ?? 0;
  const svc = (ref.kind ?? 'Service') === 'Service' ? snap.service(ns, ref.name) : undefined;
  if (svc !== undefined) return { backend: serviceBackend(svc, port, cfg) };
  return {
    backend: {
      metadata: {
        kind: { case: 'resource', value: { group: 'core', kind: 'Service', name: ref.name, namespace: ns, port } },
      },
      queue: { capacity: 100, failfastTimeout: toProtoDuration(3000) },
    },
    invalid: `Service not found ${ref.name}`,
  };
}

function ruleTimeouts(
  rule: { timeouts?: { request?: string; backendRequest?: string } },
  fallback: TimeoutsInit | undefined,
): TimeoutsInit | undefined {
  const t = rule.timeouts;
  if (t?.request === undefined && t?.backendRequest === undefined) return fallback;
  const toMs = (v: string | undefined) => (v === undefined || v === '0s' ? undefined : parseGatewayDuration(v));
  const request = toMs(t.request);
  const response = toMs(t.backendRequest);
  return {
    ...(request === undefined ? {} : { request: toProtoDuration(request) }),
    ...(response === undefined ? {} : { response: toProtoDuration(response) }),
  };
}

/** Gateway API durations (`1h`, `10s`, `1h30m`, `500ms`), in milliseconds. */
export function parseGatewayDuration(value: string): number {
  const m = /^((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/.exec(value.trim());
  if (m === null || value.trim() === '') return parseProxyDuration(value);
  return Number(m[2] ?? 0) * 3_600_000 + Number(m[4] ?? 0) * 60_000 + Number(m[6] ?? 0) * 1000 + Number(m[8] ?? 0);
}

function httpRoute(
  route: HttpRoute,
  svc: Service,
  port: number,
  snap: OutboundSnapshot,
  cfg: OutboundConfig,
): HttpRouteInit {
  const annotations = { ...(svc.metadata.annotations ?? {}), ...(route.metadata.annotations ?? {}) };
  const timeouts = annotationTimeouts(annotations);
  const retry = annotationHttpRetry(annotations);
  const routeNs = route.metadata.namespace ?? '';
  return {
    metadata: routeMeta(route, 'HTTPRoute'),
    hosts: (route.spec?.hostnames ?? []).map(hostMatch),
    rules: (route.spec?.rules ?? []).map((rule) => {
      const refs = rule.backendRefs ?? [];
      const t = ruleTimeouts(rule, timeouts);
      return {
        matches: (rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]).map(httpRouteMatch),
        filters: httpFilters(rule.filters),
        backends: distribution(
          refs,
          () => serviceBackend(svc, port, cfg),
          (ref) => refBackend(ref, routeNs, snap, cfg),
          {
            filtersOf: (ref) => httpFilters(ref.filters),
            failure: (message) => ({ kind: { case: 'failureInjector', value: { status: 500, message } } }),
          },
        ),
        ...(t === undefined ? {} : { timeouts: t }),
        ...(retry === undefined ? {} : { retry }),
        allowL5dRequestHeaders: cfg.allowL5dRequestHeaders,
      };
    }),
  };
}

function grpcFilters(filters: HttpRouteFilter[] | undefined): MessageInitShape<typeof GrpcRoute_FilterSchema>[] {
  return (filters ?? []).flatMap((f) =>
    f.type === 'RequestHeaderModifier' && f.requestHeaderModifier !== undefined
      ? [{ kind: { case: 'requestHeaderModifier' as const, value: headerModifier(f.requestHeaderModifier) } }]
      : [],
  );
}

function grpcRoute(
  route: GrpcRoute,
  svc: Service,
  port: number,
  snap: OutboundSnapshot,
  cfg: OutboundConfig,
): GrpcRouteInit {
  const annotations = { ...(svc.metadata.annotations ?? {}), ...(route.metadata.annotations ?? {}) };
  const timeouts = annotationTimeouts(annotations);
  const retry = annotationGrpcRetry(annotations);
  const routeNs = route.metadata.namespace ?? '';
  return {
    metadata: routeMeta(route, 'GRPCRoute'),
    hosts: (route.spec?.hostnames ?? []).map(hostMatch),
    rules: (route.spec?.rules ?? []).map((rule) => {
      const refs = rule.backendRefs ?? [];
      return {
        matches: (rule.matches ?? [{}]).map(grpcRouteMatch),
        filters: grpcFilters(rule.filters),
        backends: distribution(
          refs,
          () => serviceBackend(svc, port, cfg),
          (ref) => refBackend(ref, routeNs, snap, cfg),
          {
            filtersOf: (ref) => grpcFilters(ref.filters),
            // gRPC UNAVAILABLE, as the HTTP 500 of an HTTP route's missing backend.
            failure: (message) => ({ kind: { case: 'failureInjector', value: { code: 14, message } } }),
          },
        ),
        ...(timeouts === undefined ? {} : { timeouts }),
        ...(retry === undefined ? {} : { retry }),
        allowL5dRequestHeaders: cfg.allowL5dRequestHeaders,
      };
    }),
  };
}

function defaultHttpRoute(svc: Service, port: number, cfg: OutboundConfig, warn: Warn): HttpRouteInit {
  const annotations = svc.metadata.annotations ?? {};
  // Invalid Service annotations leave the default route without timeouts or retries.
  const timeouts = optional(() => annotationTimeouts(annotations), warn);
  const retry = optional(() => annotationHttpRetry(annotations), warn);
  return {
    metadata: { kind: { case: 'default', value: 'http' } },
    rules: [
      {
        matches: [{ path: { kind: { case: 'prefix', value: '/' } } }],
        backends: {
          kind: { case: 'firstAvailable', value: { backends: [{ backend: serviceBackend(svc, port, cfg) }] } },
        },
        ...(timeouts === undefined ? {} : { timeouts }),
        ...(retry === undefined ? {} : { retry }),
        allowL5dRequestHeaders: cfg.allowL5dRequestHeaders,
      },
    ],
  };
}

function optional<T>(f: () => T | undefined, warn: Warn): T | undefined {
  try {
    return f();
  } catch (err) {
    warn((err as Error).message);
    return undefined;
  }
}

/** `*.example.com` is a suffix match encoded as [com, example], as host matches are. */
function sniMatch(hostname: string) {
  return hostname.startsWith('*.')
    ? { match: { case: 'suffix' as const, value: { reverseLabels: hostname.slice(2).split('.').reverse() } } }
    : { match: { case: 'exact' as const, value: hostname } };
}

/** A TCPRoute's or TLSRoute's rules as opaque route rules (weighted Service backends). */
function l4Rules(route: L4Route, snap: OutboundSnapshot, cfg: OutboundConfig): NonNullable<OpaqueRouteInit['rules']> {
  const routeNs = route.metadata.namespace ?? '';
  return (route.spec?.rules ?? []).map((rule) => ({
    backends: {
      kind: {
        case: 'randomAvailable',
        value: {
          backends: (rule.backendRefs ?? []).map((ref) => {
            const { backend, invalid } = refBackend(ref, routeNs, snap, cfg);
            return {
              backend: {
                backend,
                filters:
                  invalid === undefined ? [] : [{ kind: { case: 'invalid' as const, value: { message: invalid } } }],
              },
              weight: ref.weight ?? 1,
            };
          }),
        },
      },
    },
  }));
}

function opaqueRoute(svc: Service, port: number, cfg: OutboundConfig): OpaqueRouteInit {
  return {
    metadata: { kind: { case: 'default', value: 'opaq' } },
    rules: [
      {
        backends: {
          kind: { case: 'firstAvailable', value: { backends: [{ backend: serviceBackend(svc, port, cfg) }] } },
        },
      },
    ],
  };
}

/**
 * The Service port's `appProtocol` as upstream reads it: `http`, `kubernetes.io/h2c`,
 * `linkerd.io/tcp` / `linkerd.io/opaque`; anything else is ignored with a warning.
 */
export function serviceAppProtocol(svc: Service, port: number, warn: Warn): 'http1' | 'http2' | 'opaque' | undefined {
  const value = svc.spec?.ports?.find((p) => p.port === port)?.appProtocol;
  if (value === undefined) return undefined;
  switch (value.toLowerCase()) {
    case 'http':
      return 'http1';
    case 'kubernetes.io/h2c':
      return 'http2';
    case 'linkerd.io/tcp':
    case 'linkerd.io/opaque':
      return 'opaque';
    default:
      warn(
        `Service ${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''} port ${port}: unknown appProtocol "${value}"`,
      );
      return undefined;
  }
}

/** The OutboundPolicy of `port` on `svc`, for a client in `clientNs` (consumer routes). */
export function serviceOutboundPolicy(
  svc: Service,
  port: number,
  clientNs: string | undefined,
  snap: OutboundSnapshot,
  cfg: OutboundConfig,
  warn: Warn = () => undefined,
): OutboundPolicy {
  const metadata = serviceMeta(svc, port);
  const appProtocol = serviceAppProtocol(svc, port, warn);
  if (serviceOpaquePorts(svc, cfg.defaultOpaquePorts).has(port) || appProtocol === 'opaque') {
    return create(OutboundPolicySchema, {
      metadata,
      protocol: { kind: { case: 'opaque', value: { routes: [opaqueRoute(svc, port, cfg)] } } },
    });
  }
  const failureAccrual = optional(() => annotationFailureAccrual(svc.metadata.annotations ?? {}), warn);
  const accrual = failureAccrual === undefined ? {} : { failureAccrual };
  const grpc = attachedRoutes((ns) => snap.grpcRoutes(ns), svc, port, clientNs).flatMap((r) =>
    tryRoute(() => grpcRoute(r, svc, port, snap, cfg), r, warn),
  );
  if (grpc.length > 0) {
    return create(OutboundPolicySchema, {
      metadata,
      protocol: { kind: { case: 'grpc', value: { routes: grpc, ...accrual } } },
    });
  }
  const attached = attachedRoutes((ns) => snap.httpRoutes(ns), svc, port, clientNs).flatMap((r) =>
    tryRoute(() => httpRoute(r, svc, port, snap, cfg), r, warn),
  );
  if (attached.length === 0) {
    // Without HTTP routes, TLS routes make the port TLS and TCP routes make it opaque.
    const tls = attachedRoutes((ns) => snap.tlsRoutes(ns), svc, port, clientNs);
    if (tls.length > 0) {
      const routes = tls.map((r) => ({
        metadata: routeMeta(r, 'TLSRoute'),
        snis: (r.spec?.hostnames ?? []).map(sniMatch),
        rules: l4Rules(r, snap, cfg),
      }));
      return create(OutboundPolicySchema, { metadata, protocol: { kind: { case: 'tls', value: { routes } } } });
    }
    const tcp = attachedRoutes((ns) => snap.tcpRoutes(ns), svc, port, clientNs);
    if (tcp.length > 0) {
      const routes = tcp.map((r) => ({ metadata: routeMeta(r, 'TCPRoute'), rules: l4Rules(r, snap, cfg) }));
      return create(OutboundPolicySchema, { metadata, protocol: { kind: { case: 'opaque', value: { routes } } } });
    }
  }
  const routes = attached.length > 0 ? attached : [defaultHttpRoute(svc, port, cfg, warn)];
  if (appProtocol === 'http1' || appProtocol === 'http2') {
    // The port's appProtocol names the protocol: no detection.
    const value = { routes, ...accrual };
    return create(OutboundPolicySchema, {
      metadata,
      protocol: { kind: appProtocol === 'http1' ? { case: 'http1', value } : { case: 'http2', value } },
    });
  }
  return create(OutboundPolicySchema, {
    metadata,
    protocol: {
      kind: {
        case: 'detect',
        value: {
          timeout: toProtoDuration(OUTBOUND_DETECT_TIMEOUT_MS),
          opaque: { routes: [opaqueRoute(svc, port, cfg)] },
          http1: { routes, ...accrual },
          http2: { routes, ...accrual },
        },
      },
    },
  });
}

/** A route with invalid annotations is left out, as upstream's index drops it. */
function tryRoute<T>(build: () => T, route: HttpRoute | GrpcRoute | L4Route, warn: Warn): T[] {
  try {
    return [build()];
  } catch (err) {
    warn(`route ${route.metadata.namespace ?? ''}/${route.metadata.name ?? ''}: ${(err as Error).message}`);
    return [];
  }
}

/**
 * The policy for an address outside the cluster networks that no Service or EgressNetwork claims:
 * detect, and forward to the original destination either way (upstream's `egress-fallback`).
 */
export function egressFallbackPolicy(ip: string, port: number): OutboundPolicy {
  const metadata: MetadataInit = { kind: { case: 'default', value: 'egress-fallback' } };
  const backend: BackendInit = {
    metadata,
    queue: { capacity: 100, failfastTimeout: toProtoDuration(3000) },
    kind: { case: 'forward', value: { addr: tcpAddress(ip, port), weight: 1 } },
  };
  const httpRoutes: HttpRouteInit[] = [
    {
      metadata,
      rules: [{ matches: [{}], backends: { kind: { case: 'firstAvailable', value: { backends: [{ backend }] } } } }],
    },
  ];
  return create(OutboundPolicySchema, {
    metadata,
    protocol: {
      kind: {
        case: 'detect',
        value: {
          timeout: toProtoDuration(OUTBOUND_DETECT_TIMEOUT_MS),
          opaque: {
            routes: [
              {
                metadata,
                rules: [{ backends: { kind: { case: 'firstAvailable', value: { backends: [{ backend }] } } } }],
              },
            ],
          },
          http1: { routes: httpRoutes },
          http2: { routes: httpRoutes },
        },
      },
    },
  });
}
