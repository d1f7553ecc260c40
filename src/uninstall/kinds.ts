/** A kind `uninstall` removes, with the collection path that lists it across all namespaces. */
export interface UninstallKind {
  apiVersion: string;
  kind: string;
  listPath: string;
}

const rbac = (kind: string, plural: string): UninstallKind => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind,
  listPath: `/apis/rbac.authorization.k8s.io/v1/${plural}`,
});

const admission = (kind: string, plural: string): UninstallKind => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind,
  listPath: `/apis/admissionregistration.k8s.io/v1/${plural}`,
});

/** Linkerd's deletion order: RBAC first, namespaces (which take their contents with them) last. */
export const UNINSTALL_KINDS: readonly UninstallKind[] = [
  rbac('ClusterRole', 'clusterroles'),
  rbac('ClusterRoleBinding', 'clusterrolebindings'),
  rbac('Role', 'roles'),
  rbac('RoleBinding', 'rolebindings'),
  {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    listPath: '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
  },
  {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    listPath: '/apis/apiregistration.k8s.io/v1/apiservices',
  },
  admission('MutatingWebhookConfiguration', 'mutatingwebhookconfigurations'),
  admission('ValidatingWebhookConfiguration', 'validatingwebhookconfigurations'),
  { apiVersion: 'v1', kind: 'Namespace', listPath: '/api/v1/namespaces' },
];
