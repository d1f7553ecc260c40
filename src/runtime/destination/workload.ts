import { ANNOTATIONS, PROXY_CONTAINER } from './config.js';
import type { Container, MetaObject, Pod, Server } from './k8s-types.js';
import { parsePortList, portOfAddr } from './ports.js';
import { selectorMatches } from './selector.js';

/** Lookups the translators need from the caches; an interface so they can be tested with plain maps. */
export interface ClusterView {
  pod(namespace: string, name: string): Pod | undefined;
  replicaSet(namespace: string, name: string): MetaObject | undefined;
  job(namespace: string, name: string): MetaObject | undefined;
  serversIn(namespace: string): Server[];
  nodeZone(nodeName: string): string | undefined;
}

export interface Owner {
  kind: string;
  name: string;
}

/** controllers.md §2.7: walks ReplicaSet → Deployment/…, Job → CronJob; lower-case kinds. */
export function resolveOwner(pod: Pod, view: ClusterView): Owner {
  const refs = pod.metadata.ownerReferences ?? [];
  const podName = pod.metadata.name ?? '';
  if (refs.length !== 1) return { kind: 'pod', name: podName };
  const [ref] = refs as [NonNullable<Pod['metadata']['ownerReferences']>[number]];
  const ns = pod.metadata.namespace ?? '';
  const parentOf = (obj: MetaObject | undefined, allowed: string[]) => {
    const owners = obj?.metadata.ownerReferences ?? [];
    const only = owners.length === 1 ? owners[0] : undefined;
    return only !== undefined && allowed.includes(only.kind) ? only : undefined;
  };
  if (ref.kind === 'ReplicaSet') {
    const parent = parentOf(view.replicaSet(ns, ref.name), ['Job', 'StatefulSet', 'DaemonSet', 'Deployment']);
    if (parent !== undefined) return { kind: parent.kind.toLowerCase(), name: parent.name };
  } else if (ref.kind === 'Job') {
    const owners = view.job(ns, ref.name)?.metadata.ownerReferences ?? [];
    const only = owners.length === 1 ? owners[0] : undefined;
    if (only !== undefined) return { kind: only.kind.toLowerCase(), name: only.name };
  }
  return { kind: ref.kind.toLowerCase(), name: ref.name };
}

/** Metric label for an owner kind: `job` is renamed so it does not clash with Prometheus' job. */
export function ownerLabel(kind: string): string {
  return kind === 'job' ? 'k8s_job' : kind;
}

function allContainers(pod: Pod): Container[] {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
}

function containerPortsNamed(pod: Pod, name: string): number[] {
  return allContainers(pod).flatMap((c) => (c.ports ?? []).filter((p) => p.name === name).map((p) => p.containerPort));
}

/** The pod's opaque ports: its annotation (names resolved) when present, else the default list. */
export function podOpaquePorts(
  pod: Pod,
  defaults: ReadonlySet<number>,
  warn?: (msg: string) => void,
): ReadonlySet<number> {
  const value = pod.metadata.annotations?.[ANNOTATIONS.opaquePorts];
  if (value === undefined) return defaults;
  return parsePortList(value, (n) => containerPortsNamed(pod, n), warn);
}

export function podSkipsInboundPort(pod: Pod, port: number): boolean {
  const value = pod.metadata.annotations?.[ANNOTATIONS.skipInboundPorts];
  return value !== undefined && parsePortList(value, (n) => containerPortsNamed(pod, n)).has(port);
}

/** A Server with `proxyProtocol: opaque` selecting the pod on this port marks it opaque (§2.6). */
export function serverMarksOpaque(pod: Pod, port: number, servers: readonly Server[]): boolean {
  return servers.some((s) => {
    if (s.spec?.proxyProtocol !== 'opaque') return false;
    if (!selectorMatches(s.spec.podSelector, pod.metadata.labels)) return false;
    const sp = s.spec.port;
    if (typeof sp === 'number') return sp === port;
    if (typeof sp !== 'string') return false;
    return allContainers(pod).some((c) =>
      (c.ports ?? []).some((p) => p.name === sp && (p.containerPort === port || p.hostPort === port)),
    );
  });
}

export interface ProxyPorts {
  inbound: number;
  admin: number | undefined;
  control: number | undefined;
}

/** Ports from the `linkerd-proxy` container's env; undefined when the proxy or its inbound env is missing. */
export function proxyPorts(pod: Pod): ProxyPorts | undefined {
  const proxy = allContainers(pod).find((c) => c.name === PROXY_CONTAINER);
  if (proxy === undefined) return undefined;
  const env = (name: string) => proxy.env?.find((e) => e.name === name)?.value;
  const inbound = portOfAddr(env('LINKERD2_PROXY_INBOUND_LISTEN_ADDR') ?? '');
  if (inbound === undefined) return undefined;
  return {
    inbound,
    admin: portOfAddr(env('LINKERD2_PROXY_ADMIN_LISTEN_ADDR') ?? ''),
    control: portOfAddr(env('LINKERD2_PROXY_CONTROL_LISTEN_ADDR') ?? ''),
  };
}
