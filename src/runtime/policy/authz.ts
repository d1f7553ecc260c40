// Client authorizations: the model the index computes, its sources (ServerAuthorizations,
// AuthorizationPolicies with their authentications) and its proto form.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { AuthnSchema, AuthzSchema } from '../../proto/gen/inbound_pb.js';
import { ALL_NETWORKS, cidrToProto, parseCidr, type Cidr } from './cidr.js';
import type {
  AuthorizationPolicy,
  MeshTLSAuthentication,
  NetworkAuthentication,
  NetworkSpec,
  ServerAuthorization,
  TargetRef,
} from './k8s-types.js';
import { POLICY_GROUP } from './resources.js';

export interface NetworkMatch {
  net: Cidr;
  except: Cidr[];
}

export type Authentication =
  | { kind: 'unauthenticated' }
  | { kind: 'tls-unauthenticated' }
  /** Suffixes are label lists; `[]` matches every identity. */
  | { kind: 'identities'; exact: string[]; suffixes: string[][] };

export type AuthzRef =
  | { kind: 'default'; name: string }
  | { kind: 'serverauthorization'; name: string }
  | { kind: 'authorizationpolicy'; name: string };

export interface ClientAuthorization {
  ref: AuthzRef;
  /** Empty means the cluster networks. */
  networks: NetworkMatch[];
  authn: Authentication;
}

export interface IdentityConfig {
  identityDomain: string;
  controlPlaneNamespace: string;
}

export function allNetworks(): NetworkMatch[] {
  return ALL_NETWORKS.map((net) => ({ net, except: [] }));
}

export function serviceAccountIdentity(cfg: IdentityConfig, namespace: string, name: string): string {
  return `${name}.${namespace}.serviceaccount.identity.${cfg.controlPlaneNamespace}.${cfg.identityDomain}`;
}

/** `*` matches everything, `*.a.b` is a suffix, anything else an exact identity. */
function identityMatch(identity: string, into: { exact: string[]; suffixes: string[][] }): void {
  if (identity === '*') into.suffixes.push([]);
  else if (identity.startsWith('*.')) into.suffixes.push(identity.slice(2).split('.'));
  else into.exact.push(identity);
}

function networkMatches(specs: readonly NetworkSpec[]): NetworkMatch[] {
  return specs.map((n) => ({ net: parseCidr(n.cidr), except: (n.except ?? []).map(parseCidr) }));
}

/** A ServerAuthorization's client; throws when it names no way of authenticating. */
export function serverAuthorizationClient(saz: ServerAuthorization, cfg: IdentityConfig): ClientAuthorization {
  const client = saz.spec?.client ?? {};
  const ref: AuthzRef = { kind: 'serverauthorization', name: saz.metadata.name ?? '' };
  const networks = networkMatches(client.networks ?? []);
  if (client.unauthenticated === true) return { ref, networks, authn: { kind: 'unauthenticated' } };
  const mtls = client.meshTLS;
  if (mtls === undefined) throw new Error('client mtls missing');
  if (mtls.unauthenticatedTLS === true) return { ref, networks, authn: { kind: 'tls-unauthenticated' } };
  const ids = { exact: [] as string[], suffixes: [] as string[][] };
  for (const id of mtls.identities ?? []) identityMatch(id, ids);
  for (const sa of mtls.serviceAccounts ?? []) {
    ids.exact.push(serviceAccountIdentity(cfg, sa.namespace ?? saz.metadata.namespace ?? '', sa.name));
  }
  if (ids.exact.length === 0 && ids.suffixes.length === 0)
    throw new Error('no identities or service accounts specified');
  return { ref, networks, authn: { kind: 'identities', ...ids } };
}

export interface AuthenticationLookup {
  meshTLS(namespace: string, name: string): MeshTLSAuthentication | undefined;
  network(namespace: string, name: string): NetworkAuthentication | undefined;
}

const isKind = (ref: TargetRef, group: string, kind: string) =>
  (ref.group ?? '') === group && ref.kind.toLowerCase() === kind.toLowerCase();

/**
 * An AuthorizationPolicy's client: identities from its MeshTLSAuthentication or ServiceAccount,
 * networks from its NetworkAuthentication (all networks without one). Throws when a referenced
 * authentication does not exist, so the policy authorizes nothing.
 */
export function authorizationPolicyClient(
  policy: AuthorizationPolicy,
  authns: AuthenticationLookup,
  cfg: IdentityConfig,
): ClientAuthorization {
  const policyNs = policy.metadata.namespace ?? '';
  let authn: Authentication = { kind: 'unauthenticated' };
  let networks: NetworkMatch[] | undefined;
  for (const ref of policy.spec?.requiredAuthenticationRefs ?? []) {
    const ns = ref.namespace ?? policyNs;
    if (isKind(ref, POLICY_GROUP, 'MeshTLSAuthentication')) {
      const mtls = authns.meshTLS(ns, ref.name);
      if (mtls === undefined) throw new Error(`could not find MeshTLSAuthentication ${ref.name} in namespace ${ns}`);
      authn = meshTLSAuthentication(mtls, cfg);
    } else if (isKind(ref, POLICY_GROUP, 'NetworkAuthentication')) {
      const net = authns.network(ns, ref.name);
      if (net === undefined) throw new Error(`could not find NetworkAuthentication ${ref.name} in namespace ${ns}`);
      networks = networkMatches(net.spec?.networks ?? []);
    } else if (isKind(ref, '', 'ServiceAccount')) {
      authn = { kind: 'identities', exact: [serviceAccountIdentity(cfg, ns, ref.name)], suffixes: [] };
    }
  }
  return {
    ref: { kind: 'authorizationpolicy', name: policy.metadata.name ?? '' },
    networks: networks ?? allNetworks(),
    authn,
  };
}

function meshTLSAuthentication(mtls: MeshTLSAuthentication, cfg: IdentityConfig): Authentication {
  const ids = { exact: [] as string[], suffixes: [] as string[][] };
  for (const id of mtls.spec?.identities ?? []) identityMatch(id, ids);
  const ns = mtls.metadata.namespace ?? '';
  for (const ref of mtls.spec?.identityRefs ?? []) {
    if (isKind(ref, '', 'ServiceAccount')) {
      if (ref.name === '*')
        ids.suffixes.push(
          `${ref.namespace ?? ns}.serviceaccount.identity.${cfg.controlPlaneNamespace}.${cfg.identityDomain}`.split(
            '.',
          ),
        );
      else ids.exact.push(serviceAccountIdentity(cfg, ref.namespace ?? ns, ref.name));
    } else if (isKind(ref, '', 'Namespace')) {
      ids.suffixes.push(
        `${ref.name}.serviceaccount.identity.${cfg.controlPlaneNamespace}.${cfg.identityDomain}`.split('.'),
      );
    }
  }
  return { kind: 'identities', ...ids };
}

function refLabels(ref: AuthzRef): Record<string, string> {
  return ref.kind === 'default'
    ? { group: '', kind: 'default', name: ref.name }
    : { group: POLICY_GROUP, kind: ref.kind, name: ref.name };
}

/** The proto Authz; no networks means the cluster networks. */
export function authzToProto(
  authz: ClientAuthorization,
  clusterNetworks: readonly Cidr[],
): MessageInitShape<typeof AuthzSchema> {
  const networks =
    authz.networks.length === 0
      ? clusterNetworks.map((net) => ({ net: cidrToProto(net), except: [] }))
      : authz.networks.map((n) => ({ net: cidrToProto(n.net), except: n.except.map(cidrToProto) }));
  const permit = ((): NonNullable<MessageInitShape<typeof AuthnSchema>['permit']> => {
    switch (authz.authn.kind) {
      case 'unauthenticated':
        return { case: 'unauthenticated' as const, value: {} };
      case 'tls-unauthenticated':
        return { case: 'meshTLS' as const, value: { clients: { case: 'unauthenticated' as const, value: {} } } };
      case 'identities':
        return {
          case: 'meshTLS' as const,
          value: {
            clients: {
              case: 'identities' as const,
              value: {
                identities: authz.authn.exact.map((name) => ({ name })),
                suffixes: authz.authn.suffixes.map((parts) => ({ parts })),
              },
            },
          },
        };
    }
  })();
  const labels = refLabels(authz.ref);
  const metadata =
    authz.ref.kind === 'default'
      ? { kind: { case: 'default' as const, value: authz.ref.name } }
      : {
          kind: {
            case: 'resource' as const,
            value: { group: POLICY_GROUP, kind: authz.ref.kind, name: authz.ref.name },
          },
        };
  return { networks, authentication: { permit }, labels, metadata };
}

/** Stable order: defaults first, then by kind and name (upstream's map order is unspecified). */
export function compareAuthz(a: ClientAuthorization, b: ClientAuthorization): number {
  const rank = (r: AuthzRef) => (r.kind === 'default' ? 0 : 1);
  return rank(a.ref) - rank(b.ref) || a.ref.kind.localeCompare(b.ref.kind) || a.ref.name.localeCompare(b.ref.name);
}
