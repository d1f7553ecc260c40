// The heartbeat report: what is collected, and its encoding as upstream sends it (keys sorted).
import type { KubeClient } from '../../kube/client.js';
import type { KubeList, KubeObject } from '../../kube/types.js';
import { L5D_VERSION } from '../../version.js';
import { heartbeatQueries, singleSample } from './prometheus.js';

export type Report = Map<string, string>;

export interface CollectDeps {
  kube: Pick<KubeClient, 'request'>;
  controllerNamespace: string;
  /** Prometheus instant queries; absent when the report will not be sent anywhere. */
  prometheus?: (query: string) => Promise<unknown>;
  warn(message: string): void;
}

const GO_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  s390x: 's390x',
  ppc64: 'ppc64le',
};

/** Collects what it can; a value that cannot be collected is left out, as upstream does. */
export async function collectReport(deps: CollectDeps): Promise<Report> {
  const report: Report = new Map([
    ['version', L5D_VERSION],
    ['source', 'heartbeat'],
    ['arch', GO_ARCH[process.arch] ?? process.arch],
  ]);
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      deps.warn(`failed to collect ${what}: ${(err as Error).message}`);
    }
  };
  await attempt('linkerd-config', async () => {
    const cm = await deps.kube.request<KubeObject>({
      path: `/api/v1/namespaces/${deps.controllerNamespace}/configmaps/linkerd-config`,
    });
    if (cm.metadata.uid) report.set('uuid', cm.metadata.uid);
    const created = Date.parse(cm.metadata.creationTimestamp ?? '');
    if (Number.isFinite(created)) report.set('install-time', String(Math.floor(created / 1000)));
  });
  await attempt('k8s version', async () => {
    const v = await deps.kube.request<{ gitVersion?: string }>({ path: '/version' });
    if (v.gitVersion) report.set('k8s-version', v.gitVersion);
  });
  await attempt('extensions', async () => {
    const list = await deps.kube.request<KubeList<KubeObject>>({
      path: '/api/v1/namespaces',
      query: { labelSelector: 'linkerd.io/extension' },
    });
    for (const ns of list.items) {
      const name = ns.metadata.labels?.['linkerd.io/extension'];
      if (name) report.set(`ext-${name}`, '1');
    }
  });
  await attempt('service profiles', async () => {
    const list = await deps.kube.request<KubeList<KubeObject>>({ path: '/apis/linkerd.io/v1alpha2/serviceprofiles' });
    report.set('service-profile-count', String(list.items.length));
  });
  const prometheus = deps.prometheus;
  if (prometheus !== undefined) {
    for (const q of heartbeatQueries(deps.controllerNamespace)) {
      await attempt(q.key, async () => {
        const value = singleSample(await prometheus(q.query));
        if (value !== undefined) report.set(q.key, value.toFixed(q.decimals));
      });
    }
  }
  return report;
}

/** `key=value&…` with keys sorted, as Go's url.Values.Encode does. */
export function encodeReport(report: Report): string {
  return [...report.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%20/g, '+')}`)
    .join('&');
}
