// The policy controller's informer caches and the snapshot views the pure computations read.
import { EventEmitter } from 'node:events';
import { Gauge, type Registry } from 'prom-client';
import type { KubeClient } from '../../kube/client.js';
import type { KubeObject } from '../../kube/types.js';
import { Informer, type InformerLogger } from '../kube-cache/informer.js';
import { RESOURCES, type ResourceType } from '../kube-cache/resource.js';
import type { ExternalWorkload } from './external-workload.js';
import type { InboundSnapshot } from './inbound.js';
import type {
  AuthorizationPolicy,
  GrpcRoute,
  HttpLocalRateLimitPolicy,
  HttpRoute,
  L4Route,
  MeshTLSAuthentication,
  Namespace,
  NetworkAuthentication,
  Pod,
  Server,
  ServerAuthorization,
  Service,
} from './k8s-types.js';
import { POLICY_ANNOTATIONS, POLICY_RESOURCES } from './resources.js';

export interface PolicyIndexEvents {
  /** Something in `namespace` changed ('' for cluster-scoped kinds). */
  change: [namespace: string, kind: string];
}

export interface PolicyIndexOptions {
  /** Namespaces are read for their default-inbound-policy annotation only when allowed. */
  watchNamespaces: boolean;
}

export class PolicyIndex extends EventEmitter<PolicyIndexEvents> implements InboundSnapshot {
  readonly pods: Informer<Pod>;
  readonly services: Informer<Service>;
  readonly namespaces: Informer<Namespace> | undefined;
  readonly serversInf: Informer<Server>;
  readonly serverAuthzInf: Informer<ServerAuthorization>;
  readonly authzPolicyInf: Informer<AuthorizationPolicy>;
  readonly meshTLSInf: Informer<MeshTLSAuthentication>;
  readonly networkInf: Informer<NetworkAuthentication>;
  readonly policyHttpRoutes: Informer<HttpRoute>;
  readonly gatewayHttpRoutes: Informer<HttpRoute>;
  readonly grpcRoutesInf: Informer<GrpcRoute>;
  readonly externalWorkloads: Informer<ExternalWorkload>;
  readonly rateLimitsInf: Informer<HttpLocalRateLimitPolicy>;
  readonly tcpRoutesInf: Informer<L4Route>;
  readonly tlsRoutesInf: Informer<L4Route>;
  private readonly all: Informer<KubeObject>[] = [];

  constructor(kube: KubeClient, log: InformerLogger, opts: PolicyIndexOptions, registry?: Registry) {
    super();
    this.setMaxListeners(0);
    const make = <T extends KubeObject>(type: ResourceType, labelSelector?: string) => {
      const inf = new Informer<T>(kube, type, { log, ...(labelSelector === undefined ? {} : { labelSelector }) });
      this.all.push(inf as unknown as Informer<KubeObject>);
      return inf;
    };
    // Only meshed pods are indexed (controllers.md §3.2).
    this.pods = make<Pod>(RESOURCES.pods, POLICY_ANNOTATIONS.controlPlaneNs);
    this.services = make<Service>(RESOURCES.services).addIndex('clusterIP', serviceClusterIPs);
    this.namespaces = opts.watchNamespaces ? make<Namespace>(RESOURCES.namespaces) : undefined;
    this.serversInf = make<Server>(POLICY_RESOURCES.servers);
    this.serverAuthzInf = make<ServerAuthorization>(POLICY_RESOURCES.serverAuthorizations);
    this.authzPolicyInf = make<AuthorizationPolicy>(POLICY_RESOURCES.authorizationPolicies);
    this.meshTLSInf = make<MeshTLSAuthentication>(POLICY_RESOURCES.meshTLSAuthentications);
    this.networkInf = make<NetworkAuthentication>(POLICY_RESOURCES.networkAuthentications);
    this.policyHttpRoutes = make<HttpRoute>(POLICY_RESOURCES.policyHttpRoutes);
    this.gatewayHttpRoutes = make<HttpRoute>(POLICY_RESOURCES.gatewayHttpRoutes);
    this.grpcRoutesInf = make<GrpcRoute>(POLICY_RESOURCES.gatewayGrpcRoutes);
    this.externalWorkloads = make<ExternalWorkload>(RESOURCES.externalWorkloads);
    this.rateLimitsInf = make<HttpLocalRateLimitPolicy>(POLICY_RESOURCES.rateLimitPolicies);
    this.tcpRoutesInf = make<L4Route>(POLICY_RESOURCES.gatewayTcpRoutes);
    this.tlsRoutesInf = make<L4Route>(POLICY_RESOURCES.gatewayTlsRoutes);
    for (const inf of this.all) {
      const kind = inf.type.kind;
      const notify = (o: KubeObject) => this.emit('change', o.metadata.namespace ?? '', kind);
      inf.on({ add: notify, update: (_old, o) => notify(o), delete: notify });
      if (registry !== undefined) {
        const name = `${inf.type.group === '' ? '' : `${inf.type.group.split('.')[0] ?? ''}_`}${inf.type.plural}`;
        new Gauge({
          name: `inbound_index_${name.replace(/[^a-z0-9_]/g, '_')}_size`,
          help: `Number of ${inf.type.kind} objects indexed`,
          registers: [registry],
          collect() {
            this.set(inf.store.size);
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

  informers(): readonly Informer<KubeObject>[] {
    return this.all;
  }

  pod(namespace: string, name: string): Pod | undefined {
    return this.pods.get(namespace, name);
  }

  externalWorkload(namespace: string, name: string): ExternalWorkload | undefined {
    return this.externalWorkloads.get(namespace, name);
  }

  namespace(name: string): Namespace | undefined {
    return this.namespaces?.get('', name);
  }

  servers(namespace: string): Server[] {
    return this.serversInf.inNamespace(namespace);
  }

  serverAuthorizations(namespace: string): ServerAuthorization[] {
    return this.serverAuthzInf.inNamespace(namespace);
  }

  authorizationPolicies(namespace: string): AuthorizationPolicy[] {
    return this.authzPolicyInf.inNamespace(namespace);
  }

  meshTLS(namespace: string, name: string): MeshTLSAuthentication | undefined {
    return this.meshTLSInf.get(namespace, name);
  }

  network(namespace: string, name: string): NetworkAuthentication | undefined {
    return this.networkInf.get(namespace, name);
  }

  httpRoutes(namespace: string): HttpRoute[] {
    return [...this.policyHttpRoutes.inNamespace(namespace), ...this.gatewayHttpRoutes.inNamespace(namespace)];
  }

  rateLimits(namespace: string): HttpLocalRateLimitPolicy[] {
    return this.rateLimitsInf.inNamespace(namespace);
  }

  tcpRoutes(namespace: string): L4Route[] {
    return this.tcpRoutesInf.inNamespace(namespace);
  }

  tlsRoutes(namespace: string): L4Route[] {
    return this.tlsRoutesInf.inNamespace(namespace);
  }

  grpcRoutes(namespace: string): GrpcRoute[] {
    return this.grpcRoutesInf.inNamespace(namespace);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.services.get(namespace, name);
  }

  servicesByClusterIP(ip: string): Service[] {
    return this.services.byIndex('clusterIP', ip);
  }
}

function serviceClusterIPs(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs ?? (svc.spec?.clusterIP === undefined ? [] : [svc.spec.clusterIP]);
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}
