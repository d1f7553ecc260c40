import type { KubeClient } from '../../kube/client.js';
import { Code, refuse } from './errors.js';

export const TOKEN_AUDIENCE = 'identity.l5d.io';

export interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string };
  error?: string;
}

/** Submits a TokenReview; injectable so Certify's logic is testable without a cluster. */
export type TokenReviewer = (token: string, audiences: string[]) => Promise<TokenReviewStatus>;

export function kubeTokenReviewer(kube: KubeClient): TokenReviewer {
  return async (token, audiences) => {
    const review = await kube.request<{ status?: TokenReviewStatus }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        spec: { token, audiences },
      },
    });
    return review.status ?? {};
  };
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every(isDns1123Label);
}

/**
 * Reviews the token and derives the identity it proves:
 * `system:serviceaccount:<ns>:<sa>` → `<sa>.<ns>.serviceaccount.identity.<controller-ns>.<trust-domain>`.
 */
export async function identityFromToken(
  review: TokenReviewer,
  token: string,
  requested: string,
  trustDomainSuffix: string,
): Promise<string> {
  let status: TokenReviewStatus;
  try {
    status = await review(token, [TOKEN_AUDIENCE]);
    // Non-projected default ServiceAccount tokens carry no audience: retry without one.
    if (status.error?.includes('token audiences')) status = await review(token, []);
  } catch (err) {
    throw refuse(Code.Internal, `error validating token for ${requested}: ${(err as Error).message}`);
  }
  if (status.error !== undefined && status.error !== '') throw refuse(Code.InvalidArgument, status.error);
  if (status.authenticated !== true) {
    throw refuse(Code.FailedPrecondition, 'authentication token could not be authenticated');
  }
  const username = status.user?.username ?? '';
  const parts = username.split(':');
  if (parts.length !== 4 || parts[0] !== 'system') {
    throw refuse(Code.InvalidArgument, `Username must be in form system:TYPE:NS:SA: ${username}`);
  }
  const [, type, ns, name] = parts as [string, string, string, string];
  for (const part of [type, ns, name]) {
    if (!isDns1123Label(part)) throw refuse(Code.InvalidArgument, `Not a label: ${part}`);
  }
  return `${name}.${ns}.${type}.${trustDomainSuffix}`;
}
