import { LINKERD_CRD_REQUIREMENTS } from '../crds/index.js';
import { KubeApiError } from '../../kube/errors.js';

/** The slice of KubeClient the install pre-checks use; tests pass an in-memory fake. */
export interface ClusterReader {
  getOptional<T>(path: string, timeoutMs?: number): Promise<T | undefined>;
  request<T>(req: { path: string; query?: Record<string, string | number | boolean | undefined> }): Promise<T>;
}

/** An install refusal: its message goes to stderr verbatim and the command exits 1. */
export class InstallRefusal extends Error {
  override readonly name = 'InstallRefusal';
}

export const CRDS_MISSING_MESSAGE = 'Linkerd CRDs must be installed first. Run l5d install with the --crds flag.';

export function connectFailureMessage(err: unknown): string {
  return `Unable to install the Linkerd control plane. Cannot connect to the Kubernetes cluster:\n\n${(err as Error).message}\n\nYou can use the --ignore-cluster flag if you just want to generate the installation config.\n`;
}

export function alreadyInstalledMessage(namespace: string): string {
  return `Can't install the Linkerd control plane in the '${namespace}' namespace. Reason: ConfigMap/linkerd-config already exists.\nRun the command \`l5d upgrade\`, if you are looking to upgrade Linkerd.\n`;
}

export const DOCKER_RUNTIME_MESSAGE =
  'there are nodes using the docker container runtime and proxy-init container must run as root user.\ntry installing linkerd via --set proxyInit.runAsRoot=true';

interface CrdView {
  spec?: { versions?: { name: string }[] };
}

/** Each Linkerd CRD must exist with its newest version (the detailed reason is not shown, as upstream). */
export async function checkCrdsInstalled(cluster: ClusterReader): Promise<void> {
  const found = await Promise.all(
    LINKERD_CRD_REQUIREMENTS.map((r) =>
      cluster.getOptional<CrdView>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${r.name}`),
    ),
  );
  const ok = LINKERD_CRD_REQUIREMENTS.every((r, i) =>
    (found[i]?.spec?.versions ?? []).some((v) => v.name === r.requiredVersion),
  );
  if (!ok) throw new InstallRefusal(CRDS_MISSING_MESSAGE);
}

export async function checkNotInstalled(cluster: ClusterReader, namespace: string): Promise<void> {
  const cm = await cluster.getOptional(`/api/v1/namespaces/${namespace}/configmaps/linkerd-config`);
  if (cm !== undefined) throw new InstallRefusal(alreadyInstalledMessage(namespace));
}

interface NodeList {
  items: { status?: { nodeInfo?: { containerRuntimeVersion?: string } } }[];
}

export async function checkNoDockerNodes(cluster: ClusterReader): Promise<void> {
  const nodes = await cluster.request<NodeList>({ path: '/api/v1/nodes' });
  if (nodes.items.some((n) => n.status?.nodeInfo?.containerRuntimeVersion?.startsWith('docker:'))) {
    throw new InstallRefusal(DOCKER_RUNTIME_MESSAGE);
  }
}

interface ServiceView {
  spec?: { ports?: { port: number; targetPort?: number | string }[] };
}

/** `port`s and integer `targetPort`s of `default/kubernetes`, comma-joined (typically `443,6443`). */
export async function kubeApiServerPorts(cluster: ClusterReader): Promise<string> {
  const svc = await cluster.getOptional<ServiceView>('/api/v1/namespaces/default/services/kubernetes');
  const ports = (svc?.spec?.ports ?? []).flatMap((p) => [
    p.port,
    ...(typeof p.targetPort === 'number' ? [p.targetPort] : []),
  ]);
  return ports.join(',');
}

/** With `enableEndpointSlices`, the cluster must serve EndpointSlices and have at least one. */
export async function checkEndpointSlices(cluster: ClusterReader): Promise<void> {
  let list: { items: unknown[] };
  try {
    list = await cluster.request<{ items: unknown[] }>({
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      query: { limit: 1 },
    });
  } catch (err) {
    if (err instanceof KubeApiError && err.notFound) throw new Error('EndpointSlice resource not found');
    throw err;
  }
  if (list.items.length === 0) throw new Error('no EndpointSlice resources exist in the cluster');
}
