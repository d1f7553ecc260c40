/** Identifies a listable/watchable Kubernetes resource. */
export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export function collectionPath(type: ResourceType, namespace?: string): string {
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  return namespace === undefined ? `${prefix}/${type.plural}` : `${prefix}/namespaces/${namespace}/${type.plural}`;
}

export const RESOURCES = {
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
  services: { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  endpoints: { group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints' },
  nodes: { group: '', version: 'v1', plural: 'nodes', kind: 'Node' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace' },
  secrets: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' },
  endpointSlices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice' },
  replicaSets: { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' },
  jobs: { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' },
  serviceProfiles: { group: 'linkerd.io', version: 'v1alpha2', plural: 'serviceprofiles', kind: 'ServiceProfile' },
  servers: { group: 'policy.linkerd.io', version: 'v1beta3', plural: 'servers', kind: 'Server' },
  externalWorkloads: {
    group: 'workload.linkerd.io',
    version: 'v1beta1',
    plural: 'externalworkloads',
    kind: 'ExternalWorkload',
  },
} as const satisfies Record<string, ResourceType>;
