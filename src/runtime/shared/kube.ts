import { KubeClient } from '../../kube/client.js';

/**
 * The controllers' Kubernetes client: `-kubeconfig` when given, else $KUBECONFIG / ~/.kube/config,
 * else the pod's ServiceAccount (in-cluster), following client-go's loading rules.
 */
export async function connectKube(kubeconfig: string): Promise<KubeClient> {
  return KubeClient.connect(kubeconfig === '' ? {} : { kubeconfig });
}

export interface AccessCheck {
  verb: string;
  group: string;
  version?: string;
  resource: string;
  namespace?: string;
}

/** SelfSubjectAccessReview; resolves to `{allowed, reason}`. */
export async function checkAccess(kube: KubeClient, check: AccessCheck): Promise<{ allowed: boolean; reason: string }> {
  const review = await kube.request<{ status?: { allowed?: boolean; reason?: string } }>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: check },
    },
  });
  return { allowed: review.status?.allowed === true, reason: review.status?.reason ?? '' };
}
