// Default inbound policies (controllers.md §3.3): what a port with no Server authorizes.
import type { Cidr } from './cidr.js';
import { allNetworks, type ClientAuthorization } from './authz.js';

export const DEFAULT_POLICIES = [
  'all-unauthenticated',
  'all-authenticated',
  'cluster-unauthenticated',
  'cluster-authenticated',
  'deny',
  'audit',
] as const;

export type DefaultPolicy = (typeof DEFAULT_POLICIES)[number];

export function isDefaultPolicy(value: string): value is DefaultPolicy {
  return (DEFAULT_POLICIES as readonly string[]).includes(value);
}

/** `all-unauthenticated` → `all-authenticated`, likewise for cluster; others unchanged. */
export function requireIdentity(policy: DefaultPolicy): DefaultPolicy {
  if (policy === 'all-unauthenticated') return 'all-authenticated';
  if (policy === 'cluster-unauthenticated') return 'cluster-authenticated';
  return policy;
}

/** The one authorization a default policy grants, or none for `deny`. */
export function defaultAuthorization(
  policy: DefaultPolicy,
  clusterNetworks: readonly Cidr[],
): ClientAuthorization | undefined {
  switch (policy) {
    case 'deny':
      return undefined;
    case 'audit':
    case 'all-unauthenticated':
      return { ref: { kind: 'default', name: policy }, networks: allNetworks(), authn: { kind: 'unauthenticated' } };
    case 'all-authenticated':
      return { ref: { kind: 'default', name: policy }, networks: allNetworks(), authn: anyIdentity() };
    case 'cluster-unauthenticated':
      return {
        ref: { kind: 'default', name: policy },
        networks: clusterNetworks.map((net) => ({ net, except: [] })),
        authn: { kind: 'unauthenticated' },
      };
    case 'cluster-authenticated':
      return {
        ref: { kind: 'default', name: policy },
        networks: clusterNetworks.map((net) => ({ net, except: [] })),
        authn: anyIdentity(),
      };
  }
}

function anyIdentity(): ClientAuthorization['authn'] {
  return { kind: 'identities', exact: [], suffixes: [[]] };
}
