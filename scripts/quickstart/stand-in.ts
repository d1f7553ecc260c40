// The quick start's stand-in for the parts of Kubernetes its local cluster does not run (no
// kube-controller-manager, scheduler, kubelet or CNI): it does, for one namespace, what those would
// do for the quick start's Deployments, and nothing else.
//
//   stand-in.ts pods NS            print the Pods the ReplicaSets of NS's Deployments would create,
//                                  that is the replicas that have no Pod yet
//                                  (YAML; pipe through `l5d inject --manual -`, which plays the
//                                  proxy-injector webhook, then `kubectl apply -f -`)
//   stand-in.ts start NS           "run" NS's Pods that have no IP: give each an address from
//                                  10.244.0.0/16 and report it Running and Ready (status subresource)
//   stand-in.ts endpointslices NS  print the EndpointSlices the EndpointSlice controller would
//                                  publish for NS's Services (YAML, for `kubectl apply -f -`)
//
// The 10.244.0.0/16 addresses are data only: nothing listens on them and nothing connects to them.
// Reads and writes the cluster through `kubectl` ($KUBECONFIG), like the rest of the quick start.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type {
  V1Container,
  V1Deployment,
  V1EndpointSlice,
  V1Pod,
  V1PodTemplateSpec,
  V1Service,
} from '@kubernetes/client-node';
import { toYamlStream } from '../../src/manifests/yaml/emit.js';

const MANAGED_BY = 'l5d-quickstart-stand-in';
const POD_NETWORK = '10.244';
/** Pod name suffix alphabet of Kubernetes' name generator (no vowels, no ambiguous digits). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

interface List<T> {
  items: T[];
}

function kubectl(args: readonly string[]): string {
  return execFileSync('kubectl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function list<T>(kind: string, namespace: string): T[] {
  return (JSON.parse(kubectl(['get', kind, '-n', namespace, '-o', 'json'])) as List<T>).items;
}

function digest(text: string, length: number): string {
  const bytes = createHash('sha256').update(text).digest();
  return Array.from(bytes.subarray(0, length), (b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
}

/** The ReplicaSet's `pod-template-hash`: a stable digest of the pod template. */
function templateHash(template: V1PodTemplateSpec | undefined): string {
  return digest(JSON.stringify(template ?? {}), 10);
}

/** Pods for every replica of every Deployment, with stable names (so the missing ones can be told apart). */
function desiredPods(deployments: readonly V1Deployment[]): V1Pod[] {
  return deployments.flatMap((d) => {
    const name = d.metadata?.name ?? '';
    const template = d.spec?.template;
    const hash = templateHash(template);
    return Array.from({ length: d.spec?.replicas ?? 1 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name}-${hash}-${digest(`${hash}/${i}`, 5)}`,
        namespace: d.metadata?.namespace ?? '',
        labels: { ...template?.metadata?.labels, 'pod-template-hash': hash },
        ...(template?.metadata?.annotations === undefined ? {} : { annotations: template.metadata.annotations }),
      },
      spec: template?.spec ?? { containers: [] },
    }));
  });
}

/** Addresses for pods that have none yet: the lowest free ones from 10.244.0.10 up, by pod name. */
function allocatePodIps(pods: readonly V1Pod[]): Map<string, string> {
  const used = new Set(pods.map((p) => p.status?.podIP));
  const pending = pods.filter((p) => p.status?.podIP === undefined).map((p) => p.metadata?.name ?? '');
  const assigned = new Map<string, string>();
  let host = 10;
  for (const name of pending.sort()) {
    while (used.has(podAddress(host))) host++;
    if (host > 65_534) throw new Error(`stand-in: ${POD_NETWORK}.0.0/16 is exhausted`);
    assigned.set(name, podAddress(host++));
  }
  return assigned;
}

function podAddress(host: number): string {
  return `${POD_NETWORK}.${Math.floor(host / 256)}.${host % 256}`;
}

function selects(selector: Record<string, string> | undefined, pod: V1Pod): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** A Service port's target on one pod: a number, or a named container port. */
function targetPort(target: number | string | undefined, port: number, pod: V1Pod): number | undefined {
  if (target === undefined) return port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const ports = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  return ports.find((p) => p.name === target)?.containerPort;
}

function isRunning(pod: V1Pod): boolean {
  return (
    pod.status?.phase === 'Running' && pod.status.podIP !== undefined && pod.metadata?.deletionTimestamp === undefined
  );
}

/**
 * One IPv4 EndpointSlice per selector Service, listing its running pods. A named target port is
 * resolved on the first pod, which is enough here: each demo Service selects one Deployment.
 */
function endpointSlices(services: readonly V1Service[], pods: readonly V1Pod[]): V1EndpointSlice[] {
  return services
    .filter((s) => s.spec?.selector !== undefined && s.spec.type !== 'ExternalName')
    .map((s) => {
      const name = s.metadata?.name ?? '';
      const members = pods.filter((p) => isRunning(p) && selects(s.spec?.selector, p));
      const first = members[0];
      return {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${name}-${digest(name, 5)}`,
          namespace: s.metadata?.namespace ?? '',
          labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': MANAGED_BY },
        },
        addressType: 'IPv4',
        ports: (s.spec?.ports ?? []).map((p) => ({
          ...(p.name === undefined ? {} : { name: p.name }),
          protocol: p.protocol ?? 'TCP',
          ...(first === undefined ? {} : { port: targetPort(p.targetPort, p.port, first) }),
        })),
        endpoints: members.map((p) => ({
          addresses: [p.status?.podIP ?? ''],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: 'Pod', name: p.metadata?.name ?? '', namespace: p.metadata?.namespace ?? '' },
        })),
      };
    });
}

/** What the kubelet reports for a started pod whose containers all passed their readiness probes. */
function runningStatus(pod: V1Pod, ip: string, now: string) {
  const conditions = ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
    type,
    status: 'True',
    lastTransitionTime: now,
  }));
  const running = (c: V1Container) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: '',
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: now } },
  });
  // Init containers ran to completion; native sidecars (restartPolicy Always) keep running.
  const initContainerStatuses = (pod.spec?.initContainers ?? []).map((c) =>
    c.restartPolicy === 'Always'
      ? running(c)
      : {
          ...running(c),
          started: false,
          state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
        },
  );
  const containerStatuses = (pod.spec?.containers ?? []).map(running);
  return {
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: now,
      conditions,
      initContainerStatuses,
      containerStatuses,
    },
  };
}

function start(namespace: string): void {
  const pods = list<V1Pod>('pods', namespace);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  for (const [name, ip] of allocatePodIps(pods)) {
    const status = runningStatus(byName.get(name) ?? {}, ip, now);
    kubectl([
      'patch',
      'pod',
      name,
      '-n',
      namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(status),
    ]);
    process.stdout.write(`pod/${name} Running, podIP ${ip}\n`);
  }
}

function main(argv: readonly string[]): void {
  const [command, namespace] = argv;
  if (namespace === undefined || namespace === '')
    throw new Error('usage: stand-in.ts pods|start|endpointslices NAMESPACE');
  switch (command) {
    case 'pods': {
      const existing = new Set(list<V1Pod>('pods', namespace).map((p) => p.metadata?.name));
      const missing = desiredPods(list<V1Deployment>('deployments', namespace)).filter(
        (p) => !existing.has(p.metadata?.name),
      );
      process.stdout.write(toYamlStream(missing));
      return;
    }
    case 'start':
      start(namespace);
      return;
    case 'endpointslices':
      process.stdout.write(
        toYamlStream(endpointSlices(list<V1Service>('services', namespace), list<V1Pod>('pods', namespace))),
      );
      return;
    default:
      throw new Error(`stand-in.ts: unknown command ${command ?? ''} (pods, start, endpointslices)`);
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
