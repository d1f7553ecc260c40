import type { Values } from '../values/types.js';
import type { KubeObject, RenderContext } from './context.js';
import { COMPONENT_LABEL, createdBy, labels } from './meta.js';
import { containerResources } from '../sidecar/resources.js';
import { isSetValue } from '../values/present.js';
import {
  controllerImage,
  controllerSecurityContext,
  KUBE_API_ACCESS_MOUNT,
  KUBE_API_ACCESS_VOLUME,
} from './pod-parts.js';

/** Daily, ten minutes after render time (UTC), unless `heartbeatSchedule` is set. */
export function heartbeatSchedule(values: Values, now: Date): string {
  if (values.heartbeatSchedule) return values.heartbeatSchedule;
  const t = new Date(now.getTime() + 10 * 60_000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(t.getUTCMinutes())} ${pad(t.getUTCHours())} * * *`;
}

/**
 * l5d sends the heartbeat only where the user points it (`--set heartbeat.url=…`); without the
 * value the job logs its report and sends nothing.
 */
function heartbeatUrlArg(values: Values): string[] {
  const url = values.heartbeat.url;
  return typeof url === 'string' && url !== '' ? [`-heartbeat-url=${url}`] : [];
}

export function heartbeatCronJob(values: Values, ctx: RenderContext): KubeObject {
  const prometheusUrl = values.prometheusUrl || `http://prometheus.linkerd-viz.svc.${values.clusterDomain}:9090`;
  const resources = containerResources(values.heartbeatResources);
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'linkerd-heartbeat',
      namespace: ctx.namespace,
      labels: labels(values, ctx, 'heartbeat', {
        'app.kubernetes.io/name': 'heartbeat',
        'app.kubernetes.io/part-of': 'Linkerd',
        'app.kubernetes.io/version': values.linkerdVersion,
      }),
      annotations: createdBy(ctx),
    },
    spec: {
      concurrencyPolicy: 'Replace',
      schedule: heartbeatSchedule(values, ctx.now),
      successfulJobsHistoryLimit: 0,
      jobTemplate: {
        spec: {
          template: {
            metadata: {
              // No control-plane-ns label: the heartbeat pod is deliberately not meshed.
              labels: { [COMPONENT_LABEL]: 'heartbeat', 'linkerd.io/workload-ns': ctx.namespace, ...values.podLabels },
              annotations: { ...createdBy(ctx), ...values.podAnnotations },
            },
            spec: {
              nodeSelector: values.nodeSelector,
              ...(isSetValue(values.tolerations) ? { tolerations: values.tolerations } : {}),
              ...(values.priorityClassName ? { priorityClassName: values.priorityClassName } : {}),
              securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
              serviceAccountName: 'linkerd-heartbeat',
              restartPolicy: 'Never',
              // The heartbeat only reads the API: a short-lived projected token instead of the
              // automounted one, as upstream's chart does.
              automountServiceAccountToken: false,
              containers: [
                {
                  name: 'heartbeat',
                  image: controllerImage(values),
                  imagePullPolicy: values.imagePullPolicy,
                  env: [{ name: 'LINKERD_DISABLED', value: 'the heartbeat controller does not use the proxy' }],
                  args: [
                    'heartbeat',
                    `-controller-namespace=${ctx.namespace}`,
                    `-log-level=${values.controllerLogLevel}`,
                    `-log-format=${values.controllerLogFormat}`,
                    `-prometheus-url=${prometheusUrl}`,
                    ...heartbeatUrlArg(values),
                  ],
                  ...(resources ? { resources } : {}),
                  securityContext: controllerSecurityContext(values),
                  volumeMounts: [KUBE_API_ACCESS_MOUNT],
                },
              ],
              volumes: [KUBE_API_ACCESS_VOLUME],
            },
          },
        },
      },
    },
  };
}
