import { Counter, type Registry } from 'prom-client';
import { INHERITABLE_ANNOTATIONS } from '../../manifests/inject/config-annotations.js';

/** `config.linkerd.io/proxy-cpu-limit` → `proxy_cpu_limit`; alpha and stable spellings share a label. */
function labelOf(annotation: string): string {
  return annotation.slice(annotation.indexOf('/') + 1).replace(/-/g, '_');
}

const CONFIG_LABELS = [...new Set(INHERITABLE_ANNOTATIONS.map(labelOf))];
const BASE_LABELS = ['owner_kind', 'namespace', 'annotation_at', ...CONFIG_LABELS];

export interface RequestLabels {
  ownerKind: string;
  namespace: string;
  annotationAt: string;
  /** The admitted object's annotations. */
  annotations: Readonly<Record<string, string>>;
}

export interface InjectorMetrics {
  request(labels: RequestLabels): void;
  response(labels: RequestLabels, skip: boolean, skipReason: string): void;
}

function labelValues(labels: RequestLabels): Record<string, string> {
  const values: Record<string, string> = Object.fromEntries(CONFIG_LABELS.map((l) => [l, '']));
  for (const key of INHERITABLE_ANNOTATIONS) {
    const value = labels.annotations[key];
    if (value !== undefined) values[labelOf(key)] = value;
  }
  return { ...values, owner_kind: labels.ownerKind, namespace: labels.namespace, annotation_at: labels.annotationAt };
}

/** `proxy_inject_admission_requests_total` and `_responses_total` (controllers.md §4.4). */
export function injectorMetrics(registry: Registry): InjectorMetrics {
  const requests = new Counter({
    name: 'proxy_inject_admission_requests_total',
    help: 'A counter for number of admission requests to proxy injector.',
    labelNames: BASE_LABELS,
    registers: [registry],
  });
  const responses = new Counter({
    name: 'proxy_inject_admission_responses_total',
    help: 'A counter for number of admission responses from proxy injector.',
    labelNames: [...BASE_LABELS, 'skip', 'skip_reason'],
    registers: [registry],
  });
  return {
    request: (labels) => requests.inc(labelValues(labels)),
    response: (labels, skip, skipReason) =>
      responses.inc({ ...labelValues(labels), skip: String(skip), skip_reason: skipReason }),
  };
}
