import { createHash } from 'node:crypto';
import type { V1PodSpec } from '@kubernetes/client-node';
import { buildSidecar, type ControlPlaneComponent } from '../sidecar/index.js';
import type { Values } from '../values/types.js';
import type { KubeObject, RenderContext } from './context.js';
import type { ComponentPod } from './controllers.js';
import { COMPONENT_LABEL, CONTROL_PLANE_NS_LABEL, createdBy, labels } from './meta.js';
import { antiAffinity, KUBE_API_ACCESS_VOLUME } from './pod-parts.js';
import { isSetValue } from '../values/present.js';

export interface DeploymentSpec {
  component: ControlPlaneComponent;
  /** `app.kubernetes.io/name`. */
  appName: string;
  pod: ComponentPod;
  /** Selector: the injector selects on the component only; identity and destination add ns and deployment. */
  narrowSelector: boolean;
  extraPodAnnotations?: Record<string, string>;
}

/** sha256 of rendered objects (the chart's `checksum/config` over an RBAC template). */
export function checksumOf(objects: readonly KubeObject[]): string {
  return createHash('sha256').update(JSON.stringify(objects)).digest('hex');
}

export function controlPlaneDeployment(spec: DeploymentSpec, values: Values, ctx: RenderContext): KubeObject {
  const name = `linkerd-${spec.component}`;
  const sidecar = buildSidecar({
    values,
    controlPlaneNamespace: ctx.namespace,
    podNamespace: ctx.namespace,
    podSpec: { containers: spec.pod.containers },
    controlPlaneComponent: spec.component,
    createdBy: ctx.createdBy,
    workload: { kind: 'deployment', name },
  });
  const selector = spec.narrowSelector
    ? {
        [COMPONENT_LABEL]: spec.component,
        [CONTROL_PLANE_NS_LABEL]: ctx.namespace,
        'linkerd.io/proxy-deployment': name,
      }
    : { [COMPONENT_LABEL]: spec.component };
  const podSpec: V1PodSpec = {
    nodeSelector: values.nodeSelector,
    ...(values.enablePodAntiAffinity ? { affinity: antiAffinity(spec.component) } : {}),
    ...(isSetValue(values.tolerations) ? { tolerations: values.tolerations as V1PodSpec['tolerations'] } : {}),
    ...(values.priorityClassName ? { priorityClassName: values.priorityClassName } : {}),
    ...(typeof values.runtimeClassName === 'string' && values.runtimeClassName
      ? { runtimeClassName: values.runtimeClassName }
      : {}),
    automountServiceAccountToken: false,
    containers: [...sidecar.containersBefore, ...spec.pod.containers, ...sidecar.containersAfter],
    ...(sidecar.initContainers.length > 0 ? { initContainers: sidecar.initContainers } : {}),
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    serviceAccountName: name,
    volumes: [...spec.pod.volumes, KUBE_API_ACCESS_VOLUME, ...sidecar.volumes],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: ctx.namespace,
      labels: labels(values, ctx, spec.component, {
        'app.kubernetes.io/name': spec.appName,
        'app.kubernetes.io/part-of': 'Linkerd',
        'app.kubernetes.io/version': values.linkerdVersion,
      }),
      annotations: createdBy(ctx),
    },
    spec: {
      replicas: values.controllerReplicas,
      revisionHistoryLimit: values.revisionHistoryLimit,
      selector: { matchLabels: selector },
      strategy: { rollingUpdate: values.deploymentStrategy.rollingUpdate },
      template: {
        metadata: {
          annotations: {
            ...createdBy(ctx),
            ...sidecar.annotations,
            'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
            'config.linkerd.io/default-inbound-policy': values.proxy.defaultInboundPolicy,
            ...spec.extraPodAnnotations,
            ...values.podAnnotations,
          },
          labels: {
            [COMPONENT_LABEL]: spec.component,
            ...sidecar.labels,
            ...values.podLabels,
          },
        },
        spec: podSpec,
      },
    },
  };
}

/** policy/v1 PDB for a control-plane component (HA). */
export function podDisruptionBudget(name: string, component: string, values: Values, ctx: RenderContext): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: ctx.namespace, labels: labels(values, ctx, component), annotations: createdBy(ctx) },
    spec: {
      maxUnavailable: values.controller.podDisruptionBudget.maxUnavailable,
      selector: { matchLabels: { [COMPONENT_LABEL]: component } },
    },
  };
}
