import { handleAdmissionReview, type AdmissionDecision, type AdmissionRequest } from '../shared/admission-review.js';
import type { Logger } from '../shared/log.js';
import type { HttpReply } from '../shared/webhook-server.js';
import { serviceProfileError } from './validate.js';

function decide(req: AdmissionRequest, log: Logger): Promise<AdmissionDecision> {
  // The webhook configuration sends only ServiceProfiles; anything else is not ours to refuse.
  if (req.kind?.kind !== 'ServiceProfile') return Promise.resolve({ allowed: true });
  const reason = serviceProfileError(req.object);
  if (reason === undefined) return Promise.resolve({ allowed: true });
  log.info({ name: req.name, namespace: req.namespace }, `rejected ServiceProfile: ${reason}`);
  return Promise.resolve({ allowed: false, status: { message: reason, code: 400 } });
}

/** One sp-validator webhook call (controllers.md §5). */
export function handleServiceProfileReview(body: string, log: Logger): Promise<HttpReply> {
  return handleAdmissionReview(body, log, (req) => decide(req, log));
}
