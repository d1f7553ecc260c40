// Kubernetes objects describing meshed workloads, for tests against the real kube-apiserver test
// bed. It runs no controller-manager or kubelet, so tests write Pods, their status and the
// EndpointSlices themselves, shaped as those components and the proxy injector would leave them.

/** A container of a Pod, as far as these tests describe one. */
export interface ContainerObject {
  name: string;
  image: string;
  ports?: Array<{ name: string; containerPort: number }>;
  env?: Array<{ name: string; value: string }>;
  livenessProbe?: { httpGet: { path?: string; port: number | string } };
  readinessProbe?: { httpGet: { path?: string; port: number | string } };
}

/** The `linkerd-proxy` container as injected; the destination controller reads the proxy's ports from its env. */
export const PROXY_CONTAINER: ContainerObject = {
  name: 'linkerd-proxy',
  image: 'ghcr.io/l5d/proxy:edge-26.11.1',
  ports: [
    { name: 'linkerd-proxy', containerPort: 4143 },
    { name: 'linkerd-admin', containerPort: 4191 },
  ],
  env: [
    { name: 'LINKERD2_PROXY_INBOUND_LISTEN_ADDR', value: '0.0.0.0:4143' },
    { name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value: '0.0.0.0:4191' },
    { name: 'LINKERD2_PROXY_CONTROL_LISTEN_ADDR', value: '0.0.0.0:4190' },
  ],
};

export interface PodOptions {
  name: string;
  namespace: string;
  serviceAccount: string;
  /** The `app` label (what Services select). */
  app: string;
  /** The workload the injector names in `linkerd.io/proxy-deployment`. */
  deployment: string;
  /** The application's own containers. */
  containers: ContainerObject[];
  /** false: the Pod as it is before injection (no proxy, no Linkerd labels). Default true. */
  meshed?: boolean;
  annotations?: Record<string, string>;
}

/** A Pod on node-a, with the labels, annotations and proxy container injection adds when meshed. */
export function workloadPod(opts: PodOptions): Record<string, unknown> {
  const meshed = opts.meshed ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      labels: {
        app: opts.app,
        ...(meshed
          ? {
              'linkerd.io/control-plane-ns': 'linkerd',
              'linkerd.io/proxy-deployment': opts.deployment,
              'linkerd.io/workload-ns': opts.namespace,
            }
          : {}),
      },
      annotations: {
        ...(meshed ? { 'linkerd.io/proxy-version': 'edge-26.11.1', 'linkerd.io/inject': 'enabled' } : {}),
        ...opts.annotations,
      },
    },
    spec: {
      serviceAccountName: opts.serviceAccount,
      nodeName: 'node-a',
      containers: [...opts.containers, ...(meshed ? [PROXY_CONTAINER] : [])],
    },
  };
}

/** kubectl arguments reporting Pod `name` Running at `ip`, as its kubelet would. */
export function runningPodPatchArgs(name: string, namespace: string, ip: string): string[] {
  const status = { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '192.168.0.1' } };
  return podStatusPatchArgs(name, namespace, status);
}

/** kubectl arguments merging `status` into Pod `name`'s status subresource. */
export function podStatusPatchArgs(name: string, namespace: string, status: { status: object }): string[] {
  return ['patch', 'pod', name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)];
}

/** An EndpointSlice of `service` listing `endpoints` as ready on node-a, as the endpoint controller writes it. */
export function endpointSliceObject(
  namespace: string,
  service: string,
  ports: Array<{ name: string; port: number }>,
  endpoints: Array<{ ip: string; pod: string }>,
): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-abcde`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: true },
      nodeName: 'node-a',
      targetRef: { kind: 'Pod', name: e.pod, namespace },
    })),
  };
}

/**
 * The `default/kubernetes` EndpointSlice a controller-manager would publish. `l5d install` requires
 * that EndpointSlices exist, and the test bed runs no controllers.
 */
export const KUBERNETES_ENDPOINT_SLICE = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.96.0.1'] }],
  ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
};
