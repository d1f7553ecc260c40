import type { Values } from '../values/types.js';
import type { KubeObject, RenderContext } from './context.js';
import { createdBy, labels } from './meta.js';

const RBAC = 'rbac.authorization.k8s.io/v1';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const LIST_GET_WATCH = ['list', 'get', 'watch'];
const GET_LIST_WATCH = ['get', 'list', 'watch'];

function clusterRole(name: string, meta: Record<string, string>, rules: PolicyRule[]): KubeObject {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, labels: meta }, rules };
}

function role(
  name: string,
  ctx: RenderContext,
  meta: Record<string, string>,
  rules: PolicyRule[],
  annotations?: Record<string, string>,
): KubeObject {
  return {
    apiVersion: RBAC,
    kind: 'Role',
    metadata: { name, namespace: ctx.namespace, labels: meta, ...(annotations ? { annotations } : {}) },
    rules,
  };
}

function binding(
  kind: 'ClusterRoleBinding' | 'RoleBinding',
  name: string,
  roleName: string,
  serviceAccount: string,
  ctx: RenderContext,
  meta: Record<string, string>,
): KubeObject {
  return {
    apiVersion: RBAC,
    kind,
    metadata: { name, ...(kind === 'RoleBinding' ? { namespace: ctx.namespace } : {}), labels: meta },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: kind === 'RoleBinding' ? 'Role' : 'ClusterRole',
      name: roleName,
    },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace: ctx.namespace }],
  };
}

export function serviceAccount(name: string, component: string, values: Values, ctx: RenderContext): KubeObject {
  const pullSecrets = values.imagePullSecrets ?? [];
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: ctx.namespace, labels: labels(values, ctx, component) },
    ...(pullSecrets.length > 0 ? { imagePullSecrets: pullSecrets } : {}),
  };
}

export function identityRbac(values: Values, ctx: RenderContext): KubeObject[] {
  const name = `linkerd-${ctx.namespace}-identity`;
  const meta = labels(values, ctx, 'identity');
  return [
    clusterRole(name, meta, [
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ]),
    binding('ClusterRoleBinding', name, name, 'linkerd-identity', ctx, meta),
    serviceAccount('linkerd-identity', 'identity', values, ctx),
  ];
}

/** The destination ClusterRole, its binding and service account (the first three objects of the template). */
export function destinationRbac(values: Values, ctx: RenderContext): KubeObject[] {
  const name = `linkerd-${ctx.namespace}-destination`;
  const meta = labels(values, ctx, 'destination');
  const rules: PolicyRule[] = [
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: LIST_GET_WATCH },
    { apiGroups: ['batch'], resources: ['jobs'], verbs: LIST_GET_WATCH },
    { apiGroups: [''], resources: ['pods', 'endpoints', 'services', 'nodes'], verbs: LIST_GET_WATCH },
    { apiGroups: ['linkerd.io'], resources: ['serviceprofiles'], verbs: LIST_GET_WATCH },
    { apiGroups: ['workload.linkerd.io'], resources: ['externalworkloads'], verbs: LIST_GET_WATCH },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update', 'patch'] },
  ];
  if (values.enableEndpointSlices) {
    rules.push({
      apiGroups: ['discovery.k8s.io'],
      resources: ['endpointslices'],
      verbs: ['list', 'get', 'watch', 'create', 'update', 'patch', 'delete'],
    });
  }
  return [
    clusterRole(name, meta, rules),
    binding('ClusterRoleBinding', name, name, 'linkerd-destination', ctx, meta),
    serviceAccount('linkerd-destination', 'destination', values, ctx),
  ];
}

const POLICY_RESOURCES = [
  'authorizationpolicies',
  'httplocalratelimitpolicies',
  'httproutes',
  'meshtlsauthentications',
  'networkauthentications',
  'servers',
  'serverauthorizations',
  'egressnetworks',
];
const GATEWAY_ROUTES = ['httproutes', 'grpcroutes', 'tlsroutes', 'tcproutes'];

/** ClusterRole `linkerd-policy`, its binding, and the remote-discovery Role/RoleBinding. */
export function policyRbac(values: Values, ctx: RenderContext): KubeObject[] {
  const meta = labels(values, ctx, 'destination');
  return [
    clusterRole('linkerd-policy', { ...meta, 'app.kubernetes.io/part-of': 'Linkerd' }, [
      { apiGroups: [''], resources: ['pods'], verbs: GET_LIST_WATCH },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
      { apiGroups: ['policy.linkerd.io'], resources: POLICY_RESOURCES, verbs: GET_LIST_WATCH },
      { apiGroups: ['gateway.networking.k8s.io'], resources: GATEWAY_ROUTES, verbs: GET_LIST_WATCH },
      {
        apiGroups: ['policy.linkerd.io'],
        resources: ['httproutes/status', 'httplocalratelimitpolicies/status', 'egressnetworks/status'],
        verbs: ['patch'],
      },
      {
        apiGroups: ['gateway.networking.k8s.io'],
        resources: GATEWAY_ROUTES.map((r) => `${r}/status`),
        verbs: ['patch'],
      },
      { apiGroups: ['workload.linkerd.io'], resources: ['externalworkloads'], verbs: GET_LIST_WATCH },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'patch'] },
    ]),
    binding('ClusterRoleBinding', 'linkerd-destination-policy', 'linkerd-policy', 'linkerd-destination', ctx, meta),
    role('remote-discovery', ctx, meta, [{ apiGroups: [''], resources: ['secrets'], verbs: GET_LIST_WATCH }]),
    binding(
      'RoleBinding',
      'linkerd-destination-remote-discovery',
      'remote-discovery',
      'linkerd-destination',
      ctx,
      meta,
    ),
  ];
}

export function heartbeatRbac(values: Values, ctx: RenderContext): KubeObject[] {
  const meta = labels(values, ctx);
  return [
    role('linkerd-heartbeat', ctx, meta, [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['linkerd-config'] },
    ]),
    binding('RoleBinding', 'linkerd-heartbeat', 'linkerd-heartbeat', 'linkerd-heartbeat', ctx, meta),
    clusterRole('linkerd-heartbeat', meta, [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
      { apiGroups: ['linkerd.io'], resources: ['serviceprofiles'], verbs: ['list'] },
    ]),
    binding('ClusterRoleBinding', 'linkerd-heartbeat', 'linkerd-heartbeat', 'linkerd-heartbeat', ctx, meta),
    serviceAccount('linkerd-heartbeat', 'heartbeat', values, ctx),
  ];
}

/** The injector ClusterRole, binding and service account (its Secret and webhook config come after). */
export function proxyInjectorRbac(values: Values, ctx: RenderContext): KubeObject[] {
  const name = `linkerd-${ctx.namespace}-proxy-injector`;
  const meta = labels(values, ctx, 'proxy-injector');
  return [
    clusterRole(name, meta, [
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: [''], resources: ['namespaces', 'replicationcontrollers'], verbs: LIST_GET_WATCH },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      {
        apiGroups: ['extensions', 'apps'],
        resources: ['deployments', 'replicasets', 'daemonsets', 'statefulsets'],
        verbs: LIST_GET_WATCH,
      },
      { apiGroups: ['extensions', 'batch'], resources: ['cronjobs', 'jobs'], verbs: LIST_GET_WATCH },
    ]),
    binding('ClusterRoleBinding', name, name, 'linkerd-proxy-injector', ctx, meta),
    serviceAccount('linkerd-proxy-injector', 'proxy-injector', values, ctx),
  ];
}

/** Role `ext-namespace-metadata-linkerd-config` and, with `configReaders`, its RoleBinding. */
export function configRbac(values: Values, ctx: RenderContext): KubeObject[] {
  const meta = labels(values, ctx);
  const objects: KubeObject[] = [
    role(
      'ext-namespace-metadata-linkerd-config',
      ctx,
      meta,
      [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['linkerd-config'] }],
      createdBy(ctx),
    ),
  ];
  const readers = values.configReaders;
  if (Array.isArray(readers) && readers.length > 0) {
    objects.push({
      apiVersion: RBAC,
      kind: 'RoleBinding',
      metadata: { name: 'linkerd-config-reader', namespace: ctx.namespace, labels: meta },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ext-namespace-metadata-linkerd-config' },
      subjects: readers.map((r: unknown) => ({ kind: 'ServiceAccount', ...(r as Record<string, unknown>) })),
    });
  }
  return objects;
}
