import { apiErrorText, type KubeApi } from './kube-api.js';

export interface ResourceAccess {
  verb: string;
  group: string;
  version: string;
  resource: string;
}

interface SelfSubjectAccessReview {
  status?: { allowed?: boolean; reason?: string };
}

/**
 * Asks the API server (SelfSubjectAccessReview) whether the current user may perform `access` in
 * `namespace`, which need not exist yet; a denial throws upstream's message.
 */
export async function requireAccess(
  kube: KubeApi,
  namespace: string,
  access: ResourceAccess,
  signal?: AbortSignal,
): Promise<void> {
  let review: SelfSubjectAccessReview;
  try {
    review = await kube.request<SelfSubjectAccessReview>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace, ...access, name: '' } },
      },
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    throw new Error(apiErrorText(err), { cause: err });
  }
  if (review.status?.allowed === true) return;
  const target = access.group === '' ? access.resource : `${access.resource}.${access.group}`;
  const reason = review.status?.reason ?? '';
  throw new Error(`not authorized to access ${target}${reason === '' ? '' : `: ${reason}`}`);
}
