// Gateway API route matches and filters in their linkerd2-proxy-api form, shared by the inbound
// and outbound APIs.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { GrpcRouteMatchSchema } from '../../proto/gen/grpc_route_pb.js';
import type {
  HeaderMatchSchema,
  HostMatchSchema,
  HttpRouteMatchSchema,
  RequestRedirectSchema,
} from '../../proto/gen/http_route_pb.js';
import { Scheme_Registered } from '../../proto/gen/http_types_pb.js';
import { httpMethodType } from '../shared/http-method.js';
import type { GrpcRouteMatch, HeaderModifier, HttpRouteFilter, HttpRouteMatch } from './k8s-types.js';

export type HostMatchInit = MessageInitShape<typeof HostMatchSchema>;
export type HttpMatchInit = MessageInitShape<typeof HttpRouteMatchSchema>;
export type GrpcMatchInit = MessageInitShape<typeof GrpcRouteMatchSchema>;
export type RedirectInit = MessageInitShape<typeof RequestRedirectSchema>;
type HeaderMatchInit = MessageInitShape<typeof HeaderMatchSchema>;

/** `*.example.com` is a suffix match encoded as [com, example]. */
export function hostMatch(hostname: string): HostMatchInit {
  if (hostname.startsWith('*.')) {
    return { match: { case: 'suffix', value: { reverseLabels: hostname.slice(2).split('.').reverse() } } };
  }
  return { match: { case: 'exact', value: hostname } };
}

export function httpMethod(method: string): NonNullable<HttpMatchInit['method']> {
  return { type: httpMethodType(method) };
}

export class RouteError extends Error {
  override name = 'RouteError';
}

function headerMatch(h: { type?: string; name: string; value: string }): HeaderMatchInit {
  if ((h.type ?? 'Exact') === 'RegularExpression') return { name: h.name, value: { case: 'regex', value: h.value } };
  return { name: h.name, value: { case: 'exact', value: new TextEncoder().encode(h.value) } };
}

export function httpRouteMatch(m: HttpRouteMatch): HttpMatchInit {
  const out: HttpMatchInit = {};
  if (m.path !== undefined) {
    const value = m.path.value ?? '/';
    const type = m.path.type ?? 'PathPrefix';
    if (type === 'Exact') out.path = { kind: { case: 'exact', value } };
    else if (type === 'PathPrefix') out.path = { kind: { case: 'prefix', value } };
    else if (type === 'RegularExpression') out.path = { kind: { case: 'regex', value } };
    else throw new RouteError(`unknown path match type: ${type}`);
  }
  out.headers = (m.headers ?? []).map(headerMatch);
  out.queryParams = (m.queryParams ?? []).map((q) =>
    (q.type ?? 'Exact') === 'RegularExpression'
      ? { name: q.name, value: { case: 'regex' as const, value: q.value } }
      : { name: q.name, value: { case: 'exact' as const, value: q.value } },
  );
  if (m.method !== undefined) out.method = httpMethod(m.method);
  return out;
}

export function grpcRouteMatch(m: GrpcRouteMatch): GrpcMatchInit {
  const out: GrpcMatchInit = { headers: (m.headers ?? []).map(headerMatch) };
  if (m.method !== undefined) out.rpc = { service: m.method.service ?? '', method: m.method.method ?? '' };
  return out;
}

function headers(list: { name: string; value: string }[] | undefined) {
  return { headers: (list ?? []).map((h) => ({ name: h.name, value: new TextEncoder().encode(h.value) })) };
}

export function headerModifier(mod: HeaderModifier) {
  return { add: headers(mod.add), set: headers(mod.set), remove: mod.remove ?? [] };
}

export function requestRedirect(filter: NonNullable<HttpRouteFilter['requestRedirect']>): RedirectInit {
  const out: RedirectInit = { host: filter.hostname ?? '', port: filter.port ?? 0, status: filter.statusCode ?? 0 };
  if (filter.scheme !== undefined) {
    const s = filter.scheme.toLowerCase();
    out.scheme =
      s === 'http'
        ? { type: { case: 'registered', value: Scheme_Registered.HTTP } }
        : s === 'https'
          ? { type: { case: 'registered', value: Scheme_Registered.HTTPS } }
          : { type: { case: 'unregistered', value: filter.scheme } };
  }
  const path = filter.path;
  if (path?.type === 'ReplaceFullPath') out.path = { replace: { case: 'full', value: path.replaceFullPath ?? '' } };
  else if (path?.type === 'ReplacePrefixMatch') {
    out.path = { replace: { case: 'prefix', value: path.replacePrefixMatch ?? '' } };
  }
  return out;
}

/** Orders routes as upstream does: creation time (routes without one first), then name. */
export function compareRouteAge(
  a: { created?: string | null; name: string },
  b: { created?: string | null; name: string },
): number {
  const ta = a.created ? Date.parse(a.created) : -Infinity;
  const tb = b.created ? Date.parse(b.created) : -Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
