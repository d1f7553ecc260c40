import type { Logger } from '../shared/log.js';
import type { EventTarget } from '../shared/events.js';
import type { BuildSidecar } from '../../manifests/inject/core.js';
import { isPlainObject, type JsonObject } from '../../manifests/inject/json.js';
import { admitObject, type WebhookDecision } from '../../manifests/inject/webhook.js';
import type { Values } from '../../manifests/values/types.js';
import type { InjectorMetrics, RequestLabels } from './metrics.js';

/** What the handler needs from the running injector; tests pass fakes. */
export interface AdmissionDeps {
  /** linkerd-config values with the mounted trust roots applied; read on every request. */
  loadValues(): Promise<Values>;
  /** The namespace's annotations from the cache; undefined when the namespace is not known. */
  namespaceAnnotations(name: string): Readonly<Record<string, string>> | undefined;
  /** The pod's top-level owner (for labels and events); undefined for bare pods. */
  ownerOf(pod: JsonObject, namespace: string): Promise<EventTarget | undefined>;
  controlPlaneNamespace: string;
  createdBy: string;
  buildSidecar: BuildSidecar;
  metrics: InjectorMetrics;
  recordEvent(target: EventTarget, reason: string, message: string): void;
  log: Logger;
}

export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

interface AdmissionRequest {
  uid: string;
  kind?: { kind?: string };
  namespace?: string;
  object?: unknown;
}

interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  patch?: string;
  status?: { message: string };
}

const text = (status: number, body: string): HttpReply => ({ status, contentType: 'text/plain; charset=utf-8', body });

/**
 * One webhook call (inject.md §9.2): decode the AdmissionReview, decide, and answer with the same
 * review plus `response`. Decode errors are HTTP 400 (the API server's failurePolicy applies); errors
 * while deciding reject the object with `allowed: false`.
 */
export async function handleAdmissionBody(body: string, deps: AdmissionDeps): Promise<HttpReply> {
  if (body.length === 0) {
    deps.log.warn('received empty payload');
    return text(200, '');
  }
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (err) {
    return text(400, `failed to decode admission review request: ${(err as Error).message}\n`);
  }
  const request = isPlainObject(review) ? review.request : undefined;
  if (!isPlainObject(review) || !isPlainObject(request) || typeof request.uid !== 'string' || request.uid === '') {
    return text(400, 'invalid admission review request\n');
  }
  const req = request as unknown as AdmissionRequest;
  deps.log.info(`received admission review request "${req.uid}"`);
  let response: AdmissionResponse;
  try {
    response = await decide(req, deps);
  } catch (err) {
    deps.log.error({ err: String(err) }, 'failed to process admission review');
    response = { uid: req.uid, allowed: false, status: { message: (err as Error).message } };
  }
  return { status: 200, contentType: 'application/json', body: encodeReview(review, response) };
}

/**
 * The review echoed with its response. A request the encoder cannot write back (nesting deeper
 * than the stack) gets a response-only review refusing it, so no crafted object escapes the handler.
 */
function encodeReview(review: JsonObject, response: AdmissionResponse): string {
  try {
    return JSON.stringify({ ...review, response });
  } catch (err) {
    const apiVersion = typeof review.apiVersion === 'string' ? review.apiVersion : 'admission.k8s.io/v1';
    const refused: AdmissionResponse = {
      uid: response.uid,
      allowed: false,
      status: { message: `failed to encode admission review response: ${(err as Error).message}` },
    };
    return JSON.stringify({ apiVersion, kind: 'AdmissionReview', response: refused });
  }
}

async function decide(req: AdmissionRequest, deps: AdmissionDeps): Promise<AdmissionResponse> {
  const values = await deps.loadValues();
  const namespace = req.namespace ?? '';
  const namespaceAnnotations = deps.namespaceAnnotations(namespace);
  if (namespaceAnnotations === undefined) throw new Error(`namespace "${namespace}" not found`);
  if (!isPlainObject(req.object)) throw new Error('admission request has no object');
  const obj = req.object;
  const kind = req.kind?.kind ?? '';
  const owner = kind.toLowerCase() === 'pod' ? await deps.ownerOf(obj, namespace) : undefined;
  const decision = admitObject(obj, {
    kind,
    namespace,
    namespaceAnnotations,
    ...(owner ? { owner } : {}),
    values,
    controlPlaneNamespace: deps.controlPlaneNamespace,
    createdBy: deps.createdBy,
    buildSidecar: deps.buildSidecar,
    warn: (m) => deps.log.warn(m),
  });
  deps.log.info(`received ${decision.kind}/${decision.name}`);
  const annotations =
    isPlainObject(obj.metadata) && isPlainObject(obj.metadata.annotations) ? obj.metadata.annotations : {};
  const labels: RequestLabels = {
    ownerKind: owner ? owner.kind.toLowerCase() : decision.kind,
    namespace,
    annotationAt: decision.annotationAt,
    annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, String(v)])),
  };
  deps.metrics.request(labels);
  report(decision, owner, labels, deps);
  const response: AdmissionResponse = { uid: req.uid, allowed: true };
  if (decision.patch.length === 0) return response;
  const patchText = JSON.stringify(decision.patch);
  deps.log.debug(`patch generated for: ${decision.kind}/${decision.name}: ${patchText}`);
  return { ...response, patchType: 'JSONPatch', patch: Buffer.from(patchText).toString('base64') };
}

/** Logs, events and the response counter of one decision (inject.md §9.6). */
function report(
  decision: WebhookDecision,
  owner: EventTarget | undefined,
  labels: RequestLabels,
  deps: AdmissionDeps,
): void {
  const ref = `${decision.kind}/${decision.name}`;
  if (decision.injected) {
    deps.log.info(`injection patch generated for: ${ref}`);
    if (owner) deps.recordEvent(owner, 'Injected', 'Linkerd sidecar proxy injected');
    deps.metrics.response(labels, false, '');
    return;
  }
  const reasons = decision.skipReasons.map((r) => r.message).join(', ');
  if (owner) deps.recordEvent(owner, 'InjectionSkipped', `Linkerd sidecar proxy injection skipped: ${reasons}`);
  if (decision.patch.length > 0) {
    deps.log.info(`annotation patch generated for: ${ref}`);
    deps.metrics.response(labels, false, '');
    return;
  }
  if (decision.kind === 'pod') deps.log.info(`skipped ${ref}: ${reasons}`);
  const skipped = decision.kind === 'pod';
  deps.metrics.response(labels, skipped, skipped ? decision.skipReasons.map((r) => r.code).join(',') : '');
}
