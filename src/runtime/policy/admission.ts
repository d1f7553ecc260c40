// The policy validating webhook (controllers.md §3.5): dispatch by kind, then the validators.
import { handleAdmissionReview, type AdmissionDecision, type AdmissionRequest } from '../shared/admission-review.js';
import type { Logger } from '../shared/log.js';
import type { HttpReply } from '../shared/webhook-server.js';
import type {
  AuthorizationPolicy,
  GrpcRoute,
  HttpLocalRateLimitPolicy,
  HttpRoute,
  MeshTLSAuthentication,
  NetworkAuthentication,
  Server,
  ServerAuthorization,
  SpecOf,
} from './k8s-types.js';
import { GATEWAY_GROUP, POLICY_GROUP } from './resources.js';
import {
  validateAuthorizationPolicy,
  validateGrpcRoute,
  validateHttpRoute,
  validateMeshTLSAuthentication,
  validateNetworkAuthentication,
  validateRateLimitPolicy,
  validateServer,
  validateServerAuthorization,
} from './validate.js';

export interface PolicyAdmissionDeps {
  log: Logger;
  /** Existing Servers of a namespace, for the overlap check. */
  /**
   * The namespace's Servers as the API has them now (the cache may lag a Server created a moment
   * ago), for the overlap check.
   */
  listServers(namespace: string): Promise<Server[]>;
}

/**
 * The admitted object. `spec` is an object of unchecked shape: the validators read it as their
 * kind's spec, and a field of the wrong type surfaces as a thrown error, i.e. a spec that does not
 * parse.
 */
interface ObjectParts {
  namespace: string;
  name: string;
  annotations: Record<string, string>;
  spec: Record<string, unknown>;
}

function specAs<T extends { spec?: unknown }>(o: ObjectParts): SpecOf<T> {
  return o.spec as SpecOf<T>;
}

type Validator = (parts: ObjectParts, deps: PolicyAdmissionDeps) => string | undefined | Promise<string | undefined>;

const LINKERD: Record<string, Validator> = {
  authorizationpolicy: (o) => validateAuthorizationPolicy(o.namespace, specAs<AuthorizationPolicy>(o)),
  meshtlsauthentication: (o) => validateMeshTLSAuthentication(specAs<MeshTLSAuthentication>(o)),
  networkauthentication: (o) => validateNetworkAuthentication(specAs<NetworkAuthentication>(o)),
  server: async (o, deps) =>
    validateServer(o.namespace, o.name, specAs<Server>(o), await deps.listServers(o.namespace)),
  serverauthorization: (o) => validateServerAuthorization(specAs<ServerAuthorization>(o)),
  httproute: (o) => validateHttpRoute(POLICY_GROUP, o.annotations, specAs<HttpRoute>(o)),
  egressnetwork: (o) => validateNetworkAuthentication(specAs<NetworkAuthentication>(o)),
  httplocalratelimitpolicy: (o) => validateRateLimitPolicy(specAs<HttpLocalRateLimitPolicy>(o)),
};

const GATEWAY: Record<string, Validator> = {
  httproute: (o) => validateHttpRoute(GATEWAY_GROUP, o.annotations, specAs<HttpRoute>(o)),
  grpcroute: (o) => validateGrpcRoute(o.annotations, specAs<GrpcRoute>(o)),
  tlsroute: (o) => singleRule(o.spec),
  tcproute: (o) => singleRule(o.spec),
};

function singleRule(spec: unknown): string | undefined {
  const rules = (spec as { rules?: unknown[] }).rules ?? [];
  return rules.length > 1 ? 'only a single rule is supported' : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parts(req: AdmissionRequest): ObjectParts | string {
  if (!isObject(req.object)) return "admission request missing 'object";
  const meta = isObject(req.object.metadata) ? req.object.metadata : {};
  const spec = req.object.spec;
  if (spec === undefined) return "admission request missing 'spec'";
  if (!isObject(spec)) return 'invalid type: expected a map';
  const annotations = isObject(meta.annotations)
    ? Object.fromEntries(Object.entries(meta.annotations).map(([k, v]) => [k, String(v)]))
    : {};
  return {
    namespace: typeof meta.namespace === 'string' ? meta.namespace : (req.namespace ?? ''),
    name: typeof meta.name === 'string' ? meta.name : (req.name ?? ''),
    annotations,
    spec,
  };
}

async function decide(req: AdmissionRequest, deps: PolicyAdmissionDeps): Promise<AdmissionDecision> {
  const group = (req.kind?.group ?? '').toLowerCase();
  const kind = (req.kind?.kind ?? '').toLowerCase();
  const validator = group === POLICY_GROUP ? LINKERD[kind] : group === GATEWAY_GROUP ? GATEWAY[kind] : undefined;
  if (validator === undefined) {
    const message = `unsupported resource type: ${req.kind?.group ?? ''}.${req.kind?.version ?? ''}.${req.kind?.kind ?? ''}`;
    return { allowed: false, status: { message, code: 400 } };
  }
  const obj = parts(req);
  if (typeof obj === 'string') {
    // Gateway API kinds belong to other controllers too: a spec l5d cannot read is not refused.
    if (group === GATEWAY_GROUP) return { allowed: true, warnings: [obj] };
    deps.log.info(`Failed to parse ${req.kind?.kind ?? ''} spec: ${obj}`);
    return { allowed: false, status: { message: obj } };
  }
  let reason: string | undefined;
  try {
    reason = await validator(obj, deps);
  } catch (err) {
    // A spec of the wrong shape surfaces here as a type error: it does not parse.
    reason = (err as Error).message;
  }
  if (reason === undefined) return { allowed: true };
  deps.log.info({ ns: obj.namespace, name: obj.name, kind: req.kind?.kind }, `Denied: ${reason}`);
  return { allowed: false, status: { message: reason } };
}

export function handlePolicyReview(body: string, deps: PolicyAdmissionDeps): Promise<HttpReply> {
  return handleAdmissionReview(body, deps.log, (req) => decide(req, deps));
}
