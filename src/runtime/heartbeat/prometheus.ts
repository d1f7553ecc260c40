// The Prometheus metrics upstream's heartbeat reports (controllers.md §6), as instant queries.
export interface PrometheusQuery {
  key: string;
  query: string;
  decimals: number;
}

const CADVISOR = 'job="kubernetes-nodes-cadvisor"';

function containerSelector(container: string, namespace: string | undefined): [string, string] {
  const ns = namespace === undefined ? '' : `,namespace="${namespace}"`;
  return [`${CADVISOR},container_name="${container}"${ns}`, `${CADVISOR},container="${container}"${ns}`];
}

export function heartbeatQueries(controllerNamespace: string): PrometheusQuery[] {
  const queries: PrometheusQuery[] = [
    {
      key: 'total-rps',
      query: 'sum(rate(request_total{direction="inbound", job="linkerd-proxy"}[30s]))',
      decimals: 0,
    },
    { key: 'meshed-pods', query: 'count(count by (pod) (request_total{job="linkerd-proxy"}))', decimals: 0 },
    {
      key: 'p99-handle-us',
      query: 'histogram_quantile(0.99, sum(rate(request_handle_us_bucket{job="linkerd-proxy"}[24h])) by (le))',
      decimals: 0,
    },
    {
      key: 'proxy-injector-injections',
      query: 'sum(proxy_inject_admission_responses_total{job="linkerd-controller", skip="false"})',
      decimals: 0,
    },
  ];
  const containers: [string, string | undefined][] = [
    ['linkerd-proxy', undefined],
    ['destination', controllerNamespace],
    ['prometheus', controllerNamespace],
  ];
  for (const [container, ns] of containers) {
    const [old, current] = containerSelector(container, ns);
    queries.push({
      key: `max-mem-${container}`,
      query: `max(container_memory_working_set_bytes{${old}} or container_memory_working_set_bytes{${current}})`,
      decimals: 0,
    });
    queries.push({
      key: `p95-cpu-${container}`,
      query: `max(quantile_over_time(0.95, rate(container_cpu_usage_seconds_total{${old}}[5m])[24h:5m]) or quantile_over_time(0.95, rate(container_cpu_usage_seconds_total{${current}}[5m])[24h:5m]))`,
      decimals: 3,
    });
  }
  return queries;
}

/** A single-sample vector's value, or undefined (upstream omits anything else). */
export function singleSample(body: unknown): number | undefined {
  const data = (body as { status?: string; data?: { resultType?: string; result?: unknown[] } } | null)?.data;
  if ((body as { status?: string }).status !== 'success' || data?.resultType !== 'vector') return undefined;
  if (data.result?.length !== 1) return undefined;
  const value = (data.result[0] as { value?: [unknown, unknown] }).value?.[1];
  const n = typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
