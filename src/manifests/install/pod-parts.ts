import type { V1Affinity, V1Container, V1Probe, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { containerResources } from '../sidecar/resources.js';
import type { ResourcesValues, Values } from '../values/types.js';
import { COMPONENT_LABEL, imageRef } from './meta.js';

export const KUBE_API_ACCESS_MOUNT: V1VolumeMount = {
  name: 'kube-api-access',
  mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
  readOnly: true,
};

/** The manual service-account token volume (the pods set automountServiceAccountToken: false). */
export const KUBE_API_ACCESS_VOLUME: V1Volume = {
  name: 'kube-api-access',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }],
        },
      },
    ],
  },
};

export function controllerSecurityContext(values: Values): V1Container['securityContext'] {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: values.controllerUID,
    ...(values.controllerGID >= 0 ? { runAsGroup: values.controllerGID } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function controllerImage(values: Values): string {
  return imageRef(values.controllerImage, values.controllerImageVersion, values);
}

/**
 * Liveness and readiness probes of a controller container. `timeoutSeconds: 1` is the chart's value;
 * Linkerd's CLI drops it for most containers (typed-model quirk), l5d renders it everywhere.
 */
export function controllerProbes(
  port: number | string,
  livePath = '/ping',
): Pick<V1Container, 'livenessProbe' | 'readinessProbe'> {
  const liveness: V1Probe = { httpGet: { path: livePath, port }, initialDelaySeconds: 10, timeoutSeconds: 1 };
  const readiness: V1Probe = { failureThreshold: 7, httpGet: { path: '/ready', port }, timeoutSeconds: 1 };
  return { livenessProbe: liveness, readinessProbe: readiness };
}

export interface ControllerContainerSpec {
  name: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  probes: Pick<V1Container, 'livenessProbe' | 'readinessProbe'>;
  mounts?: V1VolumeMount[];
  env?: V1Container['env'];
  resources?: ResourcesValues | null;
  command?: string[];
}

export function controllerContainer(spec: ControllerContainerSpec, values: Values): V1Container {
  const resources = containerResources(spec.resources);
  return {
    name: spec.name,
    image: controllerImage(values),
    imagePullPolicy: values.imagePullPolicy,
    ...(spec.command ? { command: spec.command } : {}),
    args: spec.args,
    ...(spec.env ? { env: spec.env } : {}),
    ...spec.probes,
    ports: spec.ports,
    ...(resources ? { resources } : {}),
    securityContext: controllerSecurityContext(values),
    volumeMounts: [...(spec.mounts ?? []), KUBE_API_ACCESS_MOUNT],
  };
}

/** HA anti-affinity: spread replicas across zones (preferred) and hosts (required). */
export function antiAffinity(component: string): V1Affinity {
  const selector = { matchExpressions: [{ key: COMPONENT_LABEL, operator: 'In', values: [component] }] };
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { podAffinityTerm: { labelSelector: selector, topologyKey: 'topology.kubernetes.io/zone' }, weight: 100 },
      ],
      requiredDuringSchedulingIgnoredDuringExecution: [
        { labelSelector: selector, topologyKey: 'kubernetes.io/hostname' },
      ],
    },
  };
}
