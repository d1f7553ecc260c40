/** Workload kinds `inject` knows how to mesh (inject.md §3.4), keyed by lower-cased kind. */
const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  deployment: ['spec', 'template'],
  replicaset: ['spec', 'template'],
  replicationcontroller: ['spec', 'template'],
  statefulset: ['spec', 'template'],
  daemonset: ['spec', 'template'],
  job: ['spec', 'template'],
  cronjob: ['spec', 'jobTemplate', 'spec', 'template'],
  pod: [],
};

/**
 * Where the pod (metadata + spec) lives inside an object of this kind: `[]` for a Pod, the template
 * path for workloads, undefined for kinds without a pod. Matching ignores case and apiVersion.
 */
export function podTemplatePath(kind: string): readonly string[] | undefined {
  return POD_TEMPLATE_PATHS[kind.toLowerCase()];
}

/** The `linkerd.io/proxy-<kind>` workload label of manual injection; Pods get none from the CLI. */
export function workloadLabelKind(kind: string): string | undefined {
  const lower = kind.toLowerCase();
  return lower !== 'pod' && POD_TEMPLATE_PATHS[lower] ? lower : undefined;
}

export function isInjectableKind(kind: string): boolean {
  return podTemplatePath(kind) !== undefined;
}

/** Kinds whose metadata `inject`/`uninject` may touch besides workloads. */
export function isMetadataOnlyKind(kind: string): boolean {
  const lower = kind.toLowerCase();
  return lower === 'namespace' || lower === 'service';
}
