// The AdmissionReview envelope every l5d webhook speaks: decode, hand the request to a decision
// function, echo the review back with its `response`.
import type { Logger } from './log.js';
import type { HttpReply } from './webhook-server.js';

export interface AdmissionRequest {
  uid: string;
  kind?: { group?: string; version?: string; kind?: string };
  resource?: { group?: string; version?: string; resource?: string };
  name?: string;
  namespace?: string;
  operation?: string;
  object?: unknown;
  oldObject?: unknown;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  patch?: string;
  status?: { message: string; code?: number };
  warnings?: string[];
}

export type AdmissionDecision = Omit<AdmissionResponse, 'uid'>;

const text = (status: number, body: string): HttpReply => ({ status, contentType: 'text/plain; charset=utf-8', body });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * One webhook call: decode errors are HTTP 400 (the API server's failurePolicy applies); an error
 * thrown while deciding rejects the object with `allowed: false` and the error as message.
 */
export async function handleAdmissionReview(
  body: string,
  log: Logger,
  decide: (req: AdmissionRequest) => Promise<AdmissionDecision>,
): Promise<HttpReply> {
  if (body.length === 0) {
    log.warn('received empty payload');
    return text(200, '');
  }
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (err) {
    return text(400, `failed to decode admission review request: ${(err as Error).message}\n`);
  }
  const request = isObject(review) ? review.request : undefined;
  if (!isObject(review) || !isObject(request) || typeof request.uid !== 'string' || request.uid === '') {
    return text(400, 'invalid admission review request\n');
  }
  const req = request as unknown as AdmissionRequest;
  log.info(`received admission review request "${req.uid}"`);
  let decision: AdmissionDecision;
  try {
    decision = await decide(req);
  } catch (err) {
    log.error({ err: String(err) }, 'failed to process admission review');
    decision = { allowed: false, status: { message: (err as Error).message } };
  }
  const response: AdmissionResponse = { uid: req.uid, ...decision };
  return { status: 200, contentType: 'application/json', body: encodeReview(review, response) };
}

/**
 * The review echoed with its response. A request the encoder cannot write back (nesting deeper
 * than the stack) gets a response-only review refusing it, so no crafted object escapes the handler.
 */
function encodeReview(review: Record<string, unknown>, response: AdmissionResponse): string {
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
