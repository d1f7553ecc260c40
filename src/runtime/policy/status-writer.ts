// Writes route status while this replica holds the Lease: on every relevant index change
// (coalesced), each route whose stored status differs from the desired one is patched.
import type { KubeClient } from '../../kube/client.js';
import { collectionPath } from '../kube-cache/resource.js';
import type { Informer } from '../kube-cache/informer.js';
import type { Logger } from '../shared/log.js';
import type { PolicyIndex } from './index.js';
import { desiredParents, statusPatch, type Route } from './route-status.js';

const RELEVANT = new Set(['HTTPRoute', 'GRPCRoute', 'Service', 'Server']);

export class StatusWriter {
  private leader = false;
  private scheduled = false;

  constructor(
    private readonly kube: KubeClient,
    private readonly index: PolicyIndex,
    private readonly log: Logger,
  ) {
    index.on('change', (_ns, kind) => {
      if (RELEVANT.has(kind)) this.schedule();
    });
  }

  setLeader(leader: boolean): void {
    this.leader = leader;
    if (leader) this.schedule();
  }

  private schedule(): void {
    if (!this.leader || this.scheduled) return;
    this.scheduled = true;
    setTimeout(() => {
      this.scheduled = false;
      void this.reconcile();
    }, 100).unref();
  }

  private routeInformers(): Informer<Route>[] {
    return [this.index.policyHttpRoutes, this.index.gatewayHttpRoutes, this.index.grpcRoutesInf] as Informer<Route>[];
  }

  async reconcile(): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const snap = {
      hasService: (ns: string, name: string) => this.index.service(ns, name) !== undefined,
      hasServer: (ns: string, name: string) => this.index.serversInf.get(ns, name) !== undefined,
    };
    for (const inf of this.routeInformers()) {
      for (const route of inf.list()) {
        const parents = statusPatch(route, desiredParents(route, snap, now));
        if (parents === undefined || !this.leader) continue;
        const ns = route.metadata.namespace ?? '';
        const name = route.metadata.name ?? '';
        await this.kube
          .request({
            method: 'PATCH',
            path: `${collectionPath(inf.type, ns)}/${name}/status`,
            contentType: 'application/merge-patch+json',
            query: { fieldManager: 'policy-controller' },
            body: { status: { parents } },
          })
          .catch((err: unknown) =>
            this.log.warn(
              { err: String(err), route: `${ns}/${name}`, kind: inf.type.kind },
              'failed to patch route status',
            ),
          );
      }
    }
  }
}
