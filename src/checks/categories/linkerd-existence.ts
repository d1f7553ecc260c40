import type { V1Node, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import { containsIp, parseCidr, parseIp, type Cidr } from '../cidr.js';
import type { CheckContext } from '../context.js';
import { listItems, requireNamed } from '../object-lists.js';
import { SkipCheck, type Category } from '../model.js';
import type { Pod } from '../pods.js';

export const DEFAULT_CLUSTER_NETWORKS = '10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8';
const REQUIRED_COMPONENTS = ['destination', 'identity', 'proxy-injector'];

export function linkerdExistence(ctx: CheckContext): Category {
  const ns = ctx.options.namespace;
  const pods = async (signal: AbortSignal, selector?: string) =>
    listItems<Pod>(await ctx.kube(), `/api/v1/namespaces/${ns}/pods`, selector, signal);
  const networks = async () => (await ctx.linkerdConfig()).values.clusterNetworks || DEFAULT_CLUSTER_NETWORKS;
  return {
    id: 'linkerd-existence',
    checks: [
      {
        description: "'linkerd-config' config map exists",
        hintAnchor: 'l5d-existence-linkerd-config',
        fatal: true,
        run: async () => {
          await ctx.linkerdConfig();
        },
      },
      {
        description: 'heartbeat ServiceAccount exist',
        hintAnchor: 'l5d-existence-sa',
        fatal: true,
        run: async (signal) => {
          if ((await ctx.linkerdConfig()).values.disableHeartBeat === true) return;
          const path = `/api/v1/namespaces/${ns}/serviceaccounts`;
          await requireNamed(await ctx.kube(), 'ServiceAccounts', path, ['linkerd-heartbeat'], signal);
        },
      },
      {
        description: 'control plane replica sets are ready',
        hintAnchor: 'l5d-existence-replicasets',
        fatal: true,
        retry: true,
        run: async (signal) => {
          const sets = await listItems<V1ReplicaSet>(
            await ctx.kube(),
            `/apis/apps/v1/namespaces/${ns}/replicasets`,
            undefined,
            signal,
          );
          const failures = sets.flatMap((rs) =>
            (rs.status?.conditions ?? [])
              .filter((c) => c.type === 'ReplicaFailure' && c.status === 'True')
              .map((c) => `${c.reason ?? ''}: ${c.message ?? ''}`),
          );
          if (failures.length > 0) throw new Error(failures.join('\n   '));
        },
      },
      {
        description: 'no unschedulable pods',
        hintAnchor: 'l5d-existence-unschedulable-pods',
        warning: true,
        retry: true,
        surfaceErrorOnRetry: true,
        run: async (signal) => {
          for (const pod of await pods(signal)) {
            const stuck = pod.status?.conditions?.find((c) => c.reason === 'Unschedulable');
            if (stuck) throw new Error(`${pod.metadata?.name ?? ''}: ${stuck.message ?? ''}`);
          }
        },
      },
      {
        description: 'control plane pods are ready',
        hintAnchor: 'l5d-api-control-ready',
        fatal: true,
        retry: true,
        surfaceErrorOnRetry: true,
        run: async (signal) => checkControlPlanePods(await pods(signal, 'linkerd.io/control-plane-component')),
      },
      {
        description: 'cluster networks contains all node podCIDRs',
        hintAnchor: 'l5d-cluster-networks-cidr',
        run: async (signal) => {
          const nodes = await listItems<V1Node>(await ctx.kube(), '/api/v1/nodes', undefined, signal);
          checkPodCidrs(
            nodes.map((n) => n.spec?.podCIDR ?? '').filter((c) => c !== ''),
            await networks(),
          );
        },
      },
      {
        description: 'cluster networks contains all pods',
        hintAnchor: 'l5d-cluster-networks-pods',
        run: async (signal) => {
          const configured = await networks();
          const all = await listItems<Pod>(await ctx.kube(), '/api/v1/pods', undefined, signal);
          for (const pod of all) {
            const ip = pod.status?.podIP;
            if (pod.spec?.hostNetwork || !ip) continue;
            if (!covered(ip, configured)) {
              throw new Error(
                `the Linkerd clusterNetworks ["${configured}"] do not include pod ${pod.metadata?.namespace}/${pod.metadata?.name} (${ip})`,
              );
            }
          }
        },
      },
      {
        description: 'cluster networks contains all services',
        hintAnchor: 'l5d-cluster-networks-pods',
        run: async (signal) => {
          const configured = await networks();
          const all = await listItems<V1Service>(await ctx.kube(), '/api/v1/services', undefined, signal);
          for (const svc of all) {
            const ip = svc.spec?.clusterIP;
            if (!ip || ip === 'None') continue;
            if (!covered(ip, configured)) {
              throw new Error(
                `the Linkerd clusterNetworks ["${configured}"] do not include svc ${svc.metadata?.namespace}/${svc.metadata?.name} (${ip})`,
              );
            }
          }
        },
      },
    ],
  };
}

function networksOf(clusterNetworks: string): Cidr[] {
  return clusterNetworks.split(',').flatMap((n) => {
    const c = parseCidr(n);
    return c === undefined ? [] : [c];
  });
}

function covered(ip: string, clusterNetworks: string): boolean {
  const parsed = parseIp(ip);
  return parsed !== undefined && networksOf(clusterNetworks).some((n) => containsIp(n, parsed));
}

export function checkPodCidrs(podCidrs: readonly string[], clusterNetworks: string): void {
  if (podCidrs.length === 0) throw new SkipCheck('no nodes expose a podCIDR');
  const networks = networksOf(clusterNetworks);
  const outside = podCidrs.filter((text) => {
    const cidr = parseCidr(text);
    return cidr === undefined || !networks.some((n) => containsIp(n, cidr) && cidr.prefix >= n.prefix);
  });
  if (outside.length === 0) return;
  const sorted = [...outside].sort();
  throw new Error(
    `node has podCIDR(s) [${sorted.join(' ')}] which are not contained in the Linkerd clusterNetworks.\n\tTry installing linkerd via --set clusterNetworks="${sorted.join('\\,')}"`,
  );
}

/** Each core component needs a Running `linkerd-<component>-<rs>-<pod>` pod whose containers are all ready. */
export function checkControlPlanePods(pods: readonly Pod[]): void {
  const byComponent = new Map<string, Pod[]>();
  for (const pod of pods) {
    const parts = (pod.metadata?.name ?? '').split('-');
    if (parts[0] !== 'linkerd' || parts.length < 4 || pod.status?.phase !== 'Running') continue;
    const component = parts.slice(1, -2).join('-');
    byComponent.set(component, [...(byComponent.get(component) ?? []), pod]);
  }
  for (const component of REQUIRED_COMPONENTS) {
    const candidates = byComponent.get(component) ?? [];
    if (candidates.length === 0) throw new Error(`No running pods for "linkerd-${component}"`);
    if (candidates.some((p) => (p.status?.containerStatuses ?? []).every((c) => c.ready))) continue;
    const pod = candidates[0];
    const notReady = pod?.status?.containerStatuses?.find((c) => !c.ready);
    throw new Error(`pod/${pod?.metadata?.name ?? ''} container ${notReady?.name ?? ''} is not ready`);
  }
}
