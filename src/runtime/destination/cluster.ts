import { EventEmitter } from 'node:events';
import type { Registry } from 'prom-client';
import { Gauge, Histogram } from 'prom-client';
import type { KubeClient } from '../../kube/client.js';
import type { KubeObject } from '../../kube/types.js';
import { Informer, type InformerLogger } from '../kube-cache/informer.js';
import { RESOURCES, type ResourceType } from '../kube-cache/resource.js';
import { LABELS } from './config.js';
import type { EndpointSlice, MetaObject, Pod, Server, Service, ServiceProfile } from './k8s-types.js';

export interface ClusterEvents {
  /** Something in `namespace` changed that may alter answers for it (kind is the resource kind). */
  change: [namespace: string, kind: string];
}

/** The destination controller's informer caches with their indexes (controllers.md §2.2). */
export class ClusterState extends EventEmitter<ClusterEvents> {
  readonly services: Informer<Service>;
  readonly slices: Informer<EndpointSlice>;
  readonly pods: Informer<Pod>;
  readonly servers: Informer<Server>;
  readonly profiles: Informer<ServiceProfile>;
  readonly replicaSets: Informer<MetaObject>;
  readonly jobs: Informer<MetaObject>;
  readonly nodes: Informer<MetaObject>;
  private readonly all: Informer<KubeObject>[];

  constructor(kube: KubeClient, log: InformerLogger, registry?: Registry) {
    super();
    this.setMaxListeners(0);
    const make = <T extends KubeObject>(type: ResourceType) => new Informer<T>(kube, type, { log });
    this.services = make<Service>(RESOURCES.services).addIndex('clusterIP', serviceClusterIPs);
    this.slices = make<EndpointSlice>(RESOURCES.endpointSlices).addIndex('service', (s) => {
      const svc = sliceServiceName(s);
      return svc === undefined ? [] : [`${s.metadata.namespace ?? ''}/${svc}`];
    });
    this.pods = make<Pod>(RESOURCES.pods).addIndex('podIP', podIPs).addIndex('hostPort', podHostPorts);
    this.servers = make<Server>(RESOURCES.servers);
    this.profiles = make<ServiceProfile>(RESOURCES.serviceProfiles);
    this.replicaSets = make<MetaObject>(RESOURCES.replicaSets);
    this.jobs = make<MetaObject>(RESOURCES.jobs);
    this.nodes = make<MetaObject>(RESOURCES.nodes);
    this.all = [
      this.services,
      this.slices,
      this.pods,
      this.servers,
      this.profiles,
      this.replicaSets,
      this.jobs,
      this.nodes,
    ] as unknown as Informer<KubeObject>[];
    const lag = registry === undefined ? undefined : informerLag(registry);
    for (const inf of this.all) {
      const kind = inf.type.kind;
      const notify = (o: KubeObject) => {
        lag?.observe(kind, o);
        this.emit('change', o.metadata.namespace ?? '', kind);
      };
      inf.on({ add: notify, update: (_old, o) => notify(o), delete: notify });
      if (registry !== undefined) {
        new Gauge({
          name: `${kind.toLowerCase()}_cache_size`,
          help: `Number of items in the client-go ${kind.toLowerCase()} cache`,
          labelNames: ['cluster'],
          registers: [registry],
          collect() {
            this.set({ cluster: 'local' }, inf.store.size);
          },
        });
      }
    }
  }

  run(signal: AbortSignal): void {
    for (const inf of this.all) void inf.run(signal);
  }

  async synced(): Promise<void> {
    await Promise.all(this.all.map((i) => i.synced));
  }

  /** Running, non-terminating pods with this IP, ignoring host-network pods. */
  podsByIP(ip: string): Pod[] {
    return this.pods.byIndex('podIP', ip).filter(isLivePod);
  }

  podsByHostPort(ip: string, port: number): Pod[] {
    return this.pods.byIndex('hostPort', `${ip}:${port}`).filter(isLivePod);
  }

  slicesOf(namespace: string, service: string): EndpointSlice[] {
    return this.slices.byIndex('service', `${namespace}/${service}`);
  }
}

export function isLivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return pod.metadata.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

function serviceClusterIPs(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP === undefined ? [] : [svc.spec.clusterIP]);
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

function podIPs(pod: Pod): string[] {
  if (pod.spec?.hostNetwork === true) return [];
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? [];
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

function podHostPorts(pod: Pod): string[] {
  const hostIPs = pod.status?.hostIPs?.map((h) => h.ip) ?? (pod.status?.hostIP ? [pod.status.hostIP] : []);
  const keys: string[] = [];
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) for (const ip of hostIPs) keys.push(`${ip}:${p.hostPort}`);
    }
  }
  return keys;
}

/** Label `kubernetes.io/service-name`, else an owning Service. */
export function sliceServiceName(slice: EndpointSlice): string | undefined {
  return (
    slice.metadata.labels?.[LABELS.serviceName] ??
    slice.metadata.ownerReferences?.find((o) => o.kind === 'Service')?.name
  );
}

function informerLag(registry: Registry): { observe(kind: string, o: KubeObject): void } {
  const names: Record<string, string> = {
    Service: 'services',
    EndpointSlice: 'endpointslices',
    Pod: 'pods',
    Server: 'servers',
    ServiceProfile: 'serviceprofiles',
  };
  const histograms = new Map<string, Histogram>();
  for (const [kind, name] of Object.entries(names)) {
    histograms.set(
      kind,
      new Histogram({
        name: `${name}_informer_lag_seconds`,
        help: `Lag between a ${kind} update and its delivery to the informer`,
        buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
    );
  }
  return {
    observe(kind, o) {
      const h = histograms.get(kind);
      const fields = (o.metadata as { managedFields?: { operation?: string; time?: string }[] }).managedFields;
      const newest = (fields ?? [])
        .filter((f) => f.operation === 'Update' && f.time !== undefined)
        .map((f) => Date.parse(f.time ?? ''))
        .reduce((a, b) => Math.max(a, b), 0);
      if (h !== undefined && newest > 0) h.observe(Math.max(0, (Date.now() - newest) / 1000));
    },
  };
}
