// What the policy admission webhook refuses (controllers.md §3.5), with upstream's messages.
// Each validator takes the object's spec and returns the reason for a denial or undefined.
import { parseCidr, cidrContains, CidrError } from './cidr.js';
import { isDefaultPolicy } from './default-policy.js';
import type {
  AuthorizationPolicy,
  GrpcRoute,
  HttpLocalRateLimitPolicy,
  HttpRoute,
  HttpRouteFilter,
  HttpRouteMatch,
  MeshTLSAuthentication,
  NetworkAuthentication,
  NetworkSpec,
  Server,
  ServerAuthorization,
  SpecOf,
  TargetRef,
} from './k8s-types.js';
import {
  annotationFailureAccrual,
  annotationGrpcRetry,
  annotationHttpRetry,
  annotationTimeouts,
} from './route-annotations.js';
import { parseGatewayDuration } from './outbound.js';
import { GATEWAY_GROUP, POLICY_GROUP } from './resources.js';

type Spec<T extends { spec?: unknown }> = SpecOf<T>;

const eq = (a: string | undefined, b: string) => (a ?? '').toLowerCase() === b.toLowerCase();

function targets(ref: { group?: string; kind: string }, group: string, kind: string): boolean {
  const g = ref.group ?? '';
  const groupMatches = group === '' ? g === '' || g === 'core' : eq(g, group);
  return groupMatches && eq(ref.kind, kind);
}

function canonicalKind(ref: { group?: string; kind: string }): string {
  return ref.group === undefined || ref.group === '' ? ref.kind : `${ref.kind}.${ref.group}`;
}

export function validateAuthorizationPolicy(ns: string, spec: Spec<AuthorizationPolicy>): string | undefined {
  const t: TargetRef | undefined = spec.targetRef;
  if (t === undefined) return 'missing field `targetRef`';
  const targetOk =
    targets(t, POLICY_GROUP, 'Server') ||
    targets(t, POLICY_GROUP, 'HTTPRoute') ||
    targets(t, GATEWAY_GROUP, 'HTTPRoute') ||
    targets(t, GATEWAY_GROUP, 'GRPCRoute');
  if (!targetOk) {
    if (!targets(t, '', 'Namespace')) return `invalid targetRef kind: ${canonicalKind(t)}`;
    if (t.name !== ns) return `cannot target another namespace: ${t.name}`;
  }
  const refs = spec.requiredAuthenticationRefs ?? [];
  const count = (group: string, kind: string) => refs.filter((r) => targets(r, group, kind)).length;
  const mtls = count(POLICY_GROUP, 'MeshTLSAuthentication');
  if (mtls > 1) return 'only a single MeshTLSAuthentication may be set';
  const sa = count('', 'ServiceAccount');
  if (sa > 1) return 'only a single ServiceAccount may be set';
  if (mtls + sa > 1) return 'a MeshTLSAuthentication and ServiceAccount may not be set together';
  const net = count(POLICY_GROUP, 'NetworkAuthentication');
  if (net > 1) return 'only a single NetworkAuthentication may be set';
  if (mtls + sa + net < refs.length) {
    const kinds = refs
      .filter(
        (r) =>
          !targets(r, POLICY_GROUP, 'MeshTLSAuthentication') &&
          !targets(r, POLICY_GROUP, 'NetworkAuthentication') &&
          !targets(r, '', 'ServiceAccount'),
      )
      .map(canonicalKind);
    return `unsupported authentication kind(s): ${kinds.join(', ')}`;
  }
  return undefined;
}

const DNS_LIKE = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SPIFFE = /^spiffe:\/\/[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/;

export function identityError(id: string): string | undefined {
  if (id.startsWith('spiffe://')) return SPIFFE.test(id) ? undefined : 'invalid SPIFFE ID';
  return DNS_LIKE.test(id) ? undefined : 'invalid DNS-like identity';
}

export function validateMeshTLSAuthentication(spec: Spec<MeshTLSAuthentication>): string | undefined {
  for (const id of spec.identities ?? []) {
    const err = identityError(id);
    if (err !== undefined) return `id ${id} is invalid: ${err}`;
  }
  for (const ref of spec.identityRefs ?? []) {
    if (targets(ref, '', 'ServiceAccount')) continue;
    if (targets(ref, '', 'Namespace')) {
      if (ref.namespace !== undefined) return 'Namespace identity_ref is cluster-scoped and cannot have a namespace';
      continue;
    }
    return `invalid identity target kind: ${canonicalKind(ref)}`;
  }
  return undefined;
}

function networkError(nets: readonly NetworkSpec[]): string | undefined {
  for (const net of nets) {
    let cidr;
    try {
      cidr = parseCidr(net.cidr);
      for (const text of net.except ?? []) {
        const except = parseCidr(text);
        if (cidrContains(except, cidr)) return `cidr '${net.cidr}' is completely negated by exception '${text}'`;
        if (!cidrContains(cidr, except)) return `cidr '${net.cidr}' does not include exception '${text}'`;
      }
    } catch (err) {
      if (err instanceof CidrError) return err.message;
      throw err;
    }
  }
  return undefined;
}

export function validateNetworkAuthentication(spec: Spec<NetworkAuthentication>): string | undefined {
  const nets = spec.networks ?? [];
  if (nets.length === 0) return 'at least one network must be specified';
  return networkError(nets);
}

export function validateServerAuthorization(spec: Spec<ServerAuthorization>): string | undefined {
  const client = spec.client ?? {};
  const mtls = client.meshTLS;
  if (mtls !== undefined) {
    if (client.unauthenticated === true) return '`unauthenticated` must be false if `mesh_tls` is specified';
    if (mtls.unauthenticatedTLS === true && (mtls.identities?.length ?? 0) + (mtls.serviceAccounts?.length ?? 0) > 0) {
      return '`unauthenticatedTLS` be false if any `identities` or `service_accounts` is specified';
    }
  }
  return networkError(client.networks ?? []);
}

function selectsAll(sel: { matchLabels?: object; matchExpressions?: unknown[] } | undefined): boolean {
  return (
    sel !== undefined && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0
  );
}

function overlaps(a: Spec<Server>, b: Spec<Server>): boolean {
  const pa = a.podSelector;
  const pb = b.podSelector;
  if (pa !== undefined && pb !== undefined) {
    if (selectsAll(pa) || selectsAll(pb)) return true;
    return JSON.stringify(pa) === JSON.stringify(pb);
  }
  const ea = a.externalWorkloadSelector;
  const eb = b.externalWorkloadSelector;
  if (ea !== undefined && eb !== undefined) {
    if (selectsAll(ea) || selectsAll(eb)) return true;
    return JSON.stringify(ea) === JSON.stringify(eb);
  }
  return false;
}

export function validateServer(
  ns: string,
  name: string,
  spec: Spec<Server>,
  existing: readonly Server[],
): string | undefined {
  for (const other of existing) {
    const otherName = other.metadata.name ?? '';
    if (otherName === name || other.spec === undefined) continue;
    if (String(other.spec.port) === String(spec.port) && overlaps(other.spec, spec)) {
      return `Server spec '${other.metadata.namespace ?? ns}/${otherName}' already defines a policy for port ${String(other.spec.port)}, and selects pods that would be selected by this Server`;
    }
  }
  if (spec.accessPolicy !== undefined && !isDefaultPolicy(spec.accessPolicy)) {
    return `Invalid 'accessPolicy' field: invalid policy: ${spec.accessPolicy}`;
  }
  return undefined;
}

const METHOD_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-zA-Z]+$/;

function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
    return undefined;
  } catch (err) {
    return `regex parse error: ${(err as Error).message}`;
  }
}

function matchError(m: HttpRouteMatch): string | undefined {
  if (m.path !== undefined) {
    const type = m.path.type ?? 'PathPrefix';
    const value = m.path.value ?? '/';
    if (type === 'Exact' || type === 'PathPrefix') {
      if (!value.startsWith('/'))
        return `PathMatch paths must be absolute (begin with \`/\`); ${JSON.stringify(value)}`;
    } else if (type === 'RegularExpression') {
      const err = regexError(value);
      if (err !== undefined) return err;
    } else return `unknown path match type: ${type}`;
  }
  if (m.method !== undefined && !METHOD_TOKEN.test(m.method)) return 'invalid HTTP method';
  for (const q of m.queryParams ?? []) {
    if (q.type === 'RegularExpression') {
      const err = regexError(q.value);
      if (err !== undefined) return err;
    }
  }
  for (const h of m.headers ?? []) {
    if (!HEADER_NAME.test(h.name)) return 'invalid HTTP header name';
    if (h.type === 'RegularExpression') {
      const err = regexError(h.value);
      if (err !== undefined) return err;
    }
  }
  return undefined;
}

function filterError(f: HttpRouteFilter): string | undefined {
  const mod = f.requestHeaderModifier ?? f.responseHeaderModifier;
  if (mod !== undefined) {
    for (const h of [...(mod.add ?? []), ...(mod.set ?? [])])
      if (!HEADER_NAME.test(h.name)) return 'invalid HTTP header name';
    for (const name of mod.remove ?? []) if (!HEADER_NAME.test(name)) return 'invalid HTTP header name';
  }
  const redirect = f.requestRedirect;
  if (redirect !== undefined) {
    if (redirect.path?.type === 'ReplacePrefixMatch' && redirect.path.replacePrefixMatch === undefined) {
      return 'missing replacePrefixMatch';
    }
    if (redirect.path?.type === 'ReplaceFullPath' && redirect.path.replaceFullPath === undefined) {
      return 'missing replaceFullPath';
    }
  }
  return undefined;
}

function parentIsService(ref: { group?: string; kind?: string }): boolean {
  return (ref.group === undefined || ref.group === '' || ref.group === 'core') && ref.kind === 'Service';
}

function annotationsError(annotations: Record<string, string>, grpc: boolean): string | undefined {
  try {
    if (grpc) annotationGrpcRetry(annotations);
    else annotationHttpRetry(annotations);
    annotationFailureAccrual(annotations);
    annotationTimeouts(annotations);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function timeoutsError(t: { request?: string; backendRequest?: string }): string | undefined {
  const parse = (v: string | undefined): number | undefined | 'negative' => {
    if (v === undefined) return undefined;
    if (v.trim().startsWith('-')) return 'negative';
    return parseGatewayDuration(v);
  };
  const backend = parse(t.backendRequest);
  if (backend === 'negative') return 'backendRequest timeout must not be negative';
  const request = parse(t.request);
  if (request === 'negative') return 'request timeout must not be negative';
  if (request !== undefined && backend !== undefined && request < backend) {
    return `backendRequest timeout (${t.backendRequest ?? ''}) must not be greater than request timeout (${t.request ?? ''})`;
  }
  return undefined;
}

export function validateHttpRoute(
  group: string,
  annotations: Record<string, string>,
  spec: Spec<HttpRoute>,
): string | undefined {
  if ((spec.parentRefs ?? []).some(parentIsService)) {
    const err = annotationsError(annotations, false);
    if (err !== undefined) return err;
  }
  for (const rule of spec.rules ?? []) {
    for (const m of rule.matches ?? []) {
      const err = matchError(m);
      if (err !== undefined) return err;
    }
    for (const f of rule.filters ?? []) {
      const err = filterError(f);
      if (err !== undefined) return err;
    }
    if (group === POLICY_GROUP && rule.timeouts !== undefined) {
      try {
        const err = timeoutsError(rule.timeouts);
        if (err !== undefined) return err;
      } catch (err) {
        return (err as Error).message;
      }
    }
  }
  return undefined;
}

export function validateGrpcRoute(annotations: Record<string, string>, spec: Spec<GrpcRoute>): string | undefined {
  if ((spec.parentRefs ?? []).some(parentIsService)) {
    const err = annotationsError(annotations, true);
    if (err !== undefined) return err;
  }
  for (const rule of spec.rules ?? []) {
    for (const m of rule.matches ?? []) {
      if (m.method !== undefined && !m.method.method && !m.method.service) {
        return 'at least one of GrpcMethodMatch.Service and GrpcMethodMatch.Method MUST be a non-empty string';
      }
      for (const h of m.headers ?? []) {
        if (!HEADER_NAME.test(h.name)) return 'invalid HTTP header name';
        if (h.type === 'RegularExpression') {
          const err = regexError(h.value);
          if (err !== undefined) return err;
        }
      }
    }
    for (const f of rule.filters ?? []) {
      const err = filterError(f);
      if (err !== undefined) return err;
    }
  }
  return undefined;
}

export function validateRateLimitPolicy(spec: Spec<HttpLocalRateLimitPolicy>): string | undefined {
  const t = spec.targetRef;
  if (t === undefined || !targets({ ...t, group: t.group ?? POLICY_GROUP }, POLICY_GROUP, 'Server')) {
    return `invalid targetRef kind: ${t === undefined ? '' : canonicalKind(t)}`;
  }
  const total = spec.total?.requestsPerSecond;
  if (total !== undefined && total <= 0) return 'total.requestsPerSecond must be greater than 0';
  const identity = spec.identity?.requestsPerSecond;
  if (identity !== undefined) {
    if (identity <= 0) return 'identity.requestsPerSecond must be greater than 0';
    if (total !== undefined && identity > total) {
      return 'identity.requestsPerSecond must be less than or equal to total.requestsPerSecond';
    }
  }
  for (const o of spec.overrides ?? []) {
    if (o.requestsPerSecond <= 0) return 'override.requestsPerSecond must be greater than 0';
    if (total !== undefined && o.requestsPerSecond > total) {
      return 'override.requestsPerSecond must be less than or equal to total.requestsPerSecond';
    }
    for (const ref of o.clientRefs ?? []) {
      if (!targets(ref, '', 'ServiceAccount')) return 'overrides.clientRefs must target a ServiceAccount';
    }
  }
  return undefined;
}
