import { requireAccess, type ResourceAccess } from '../access-review.js';
import type { CheckContext } from '../context.js';
import { dryRunClusterScoped } from '../dry-run.js';
import { getOrUndefined, getRaw } from '../kube-api.js';
import type { Category, CheckSpec } from '../model.js';

const ACCESS_CHECKS: readonly (ResourceAccess & { description: string })[] = [
  { description: 'can create ServiceAccounts', verb: 'create', group: '', version: 'v1', resource: 'serviceaccounts' },
  { description: 'can create Services', verb: 'create', group: '', version: 'v1', resource: 'services' },
  { description: 'can create Deployments', verb: 'create', group: 'apps', version: 'v1', resource: 'deployments' },
  { description: 'can create CronJobs', verb: 'create', group: 'batch', version: 'v1beta1', resource: 'cronjobs' },
  { description: 'can create ConfigMaps', verb: 'create', group: '', version: 'v1', resource: 'configmaps' },
  { description: 'can create Secrets', verb: 'create', group: '', version: 'v1', resource: 'secrets' },
  { description: 'can read Secrets', verb: 'get', group: '', version: 'v1', resource: 'secrets' },
];

/** Node heartbeats every 5 min, plus 10 s of TLS allowance. */
export const MAX_CLOCK_SKEW_MS = (5 * 60 + 10) * 1000;

interface Node {
  metadata: { name?: string };
  status?: { conditions?: { type: string; status: string; lastHeartbeatTime?: string }[] };
}

export function preKubernetesSetup(ctx: CheckContext): Category {
  const ns = ctx.options.namespace;
  const access: CheckSpec[] = ACCESS_CHECKS.map(({ description, ...resource }) => ({
    description,
    hintAnchor: 'pre-k8s',
    run: async (signal) => requireAccess(await ctx.kube(), ns, resource, signal),
  }));
  return {
    id: 'pre-kubernetes-setup',
    checks: [
      {
        description: 'control plane namespace does not already exist',
        hintAnchor: 'pre-ns',
        run: async (signal) => {
          const existing = await getOrUndefined(await ctx.kube(), `/api/v1/namespaces/${ns}`, signal);
          if (existing !== undefined) throw new Error(`The "${ns}" namespace already exists`);
        },
      },
      {
        description: 'can create non-namespaced resources',
        hintAnchor: 'pre-k8s-cluster-k8s',
        run: async (signal) => dryRunClusterScoped(await ctx.kube(), await ctx.deps.installObjects(), signal),
      },
      ...access,
      {
        description: 'can read extension-apiserver-authentication configmap',
        hintAnchor: 'pre-k8s',
        run: async (signal) => {
          const cm = await getRaw<{ data?: Record<string, string> }>(
            await ctx.kube(),
            '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication',
            signal,
          );
          if (!cm.data?.['requestheader-client-ca-file']) {
            throw new Error('--requestheader-client-ca-file is not configured');
          }
        },
      },
      {
        description: 'no clock skew detected',
        hintAnchor: 'pre-k8s-clock-skew',
        warning: true,
        run: async (signal) => {
          const nodes = await getRaw<{ items: Node[] }>(await ctx.kube(), '/api/v1/nodes', signal);
          const skewed = nodesWithClockSkew(nodes.items, ctx.deps.clock.now());
          if (skewed.length > 0) throw new Error(`clock skew detected for node(s): ${skewed.join(', ')}`);
        },
      },
    ],
  };
}

export function nodesWithClockSkew(nodes: readonly Node[], now: number): string[] {
  return nodes.flatMap((node) => {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
    if (ready?.lastHeartbeatTime === undefined) return [];
    const skew = Math.abs(now - Date.parse(ready.lastHeartbeatTime));
    return skew > MAX_CLOCK_SKEW_MS ? [node.metadata.name ?? ''] : [];
  });
}
