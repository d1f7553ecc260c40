import type { CrdMetadataOptions, CustomResourceDefinition } from '../types.js';
import { ownershipLabels } from '../define.js';
import { upstreamCrdJson as grpcRoutes } from './grpcroutes.js';
import { upstreamCrdJson as httpRoutes } from './httproutes.js';
import { upstreamCrdJson as tcpRoutes } from './tcproutes.js';
import { upstreamCrdJson as tlsRoutes } from './tlsroutes.js';

/** The Gateway API release Linkerd bundles (see ./NOTICE). */
export const GATEWAY_API_BUNDLE_VERSION = 'v1.1.1';

const UPSTREAM = { httproutes: httpRoutes, grpcroutes: grpcRoutes, tlsroutes: tlsRoutes, tcproutes: tcpRoutes };

export type GatewayApiCrd = keyof typeof UPSTREAM;

/**
 * One upstream Gateway API CRD with Linkerd's ownership metadata added: the upstream annotations
 * stay, `linkerd.io/created-by` and `helm.sh/resource-policy: keep` (uninstalling Linkerd must not
 * delete routes other tools own) are added, and the labels of §2.4 are set. The schema is untouched.
 */
export function gatewayApiCrd(plural: GatewayApiCrd, opts: CrdMetadataOptions): CustomResourceDefinition {
  const upstream = JSON.parse(UPSTREAM[plural]) as CustomResourceDefinition;
  const { annotations, name } = upstream.metadata;
  return {
    ...upstream,
    metadata: {
      annotations: { ...annotations, 'linkerd.io/created-by': opts.createdBy, 'helm.sh/resource-policy': 'keep' },
      labels: ownershipLabels(opts),
      creationTimestamp: null,
      name,
    },
  };
}
