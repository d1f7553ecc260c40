import { LABELS } from './config.js';
import type { ClusterState } from './cluster.js';
import type { ClusterView } from './workload.js';

export function clusterView(state: ClusterState): ClusterView {
  return {
    pod: (ns, name) => state.pods.get(ns, name),
    replicaSet: (ns, name) => state.replicaSets.get(ns, name),
    job: (ns, name) => state.jobs.get(ns, name),
    serversIn: (ns) => state.servers.inNamespace(ns),
    nodeZone: (name) => state.nodes.get('', name)?.metadata.labels?.[LABELS.zone],
  };
}
