import type { Logger } from '../shared/log.js';
import { handleAdmissionReview, type AdmissionDecision, type AdmissionRequest } from '../shared/admission-review.js';
import type { HttpReply } from '../shared/webhook-server.js';
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

/** One webhook call (inject.md §9.2). */
export function handleAdmissionBody(body: string, deps: AdmissionDeps): Promise<HttpReply> {
  return handleAdmissionReview(body, deps.log, (req) => decide(req, deps));
}

async function decide(req: AdmissionRequest, deps: AdmissionDeps): Promise<AdmissionDecision> {
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
  const response: AdmissionDecision = { allowed: true };
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
