// ExternalWorkloads (workload.linkerd.io/v1beta1) answer inbound policy like pods: their labels
// select Servers (by externalWorkloadSelector), their declared ports resolve port names.
import type { KubeObject } from '../../kube/types.js';
import type { Pod } from './k8s-types.js';

export interface ExternalWorkload extends KubeObject {
  spec?: {
    meshTLS?: { identity?: string; serverName?: string };
    workloadIPs?: { ip: string }[];
    ports?: { port: number; name?: string; protocol?: string }[];
  };
}

/** The workload as the inbound computation reads a pod: metadata and named ports, no probes. */
export function externalWorkloadPod(ew: ExternalWorkload): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: ew.metadata,
    spec: {
      containers: [
        {
          name: 'external',
          ports: (ew.spec?.ports ?? []).map((p) => ({
            containerPort: p.port,
            ...(p.name === undefined ? {} : { name: p.name }),
            ...(p.protocol === undefined ? {} : { protocol: p.protocol }),
          })),
        },
      ],
    },
  };
}
