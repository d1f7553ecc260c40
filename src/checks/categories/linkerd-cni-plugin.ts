import type { CheckContext } from '../context.js';
import { getOrUndefined, getRaw } from '../kube-api.js';
import { SkipCheck, type Category, type CheckSpec } from '../model.js';

interface DaemonSet {
  status?: { desiredNumberScheduled?: number; numberReady?: number };
}

/**
 * CNI plugin objects. `cniEnabled` says whether CNI is in use (`--linkerd-cni-enabled` in `--pre`,
 * linkerd-config's `cniEnabled` otherwise); without it every check is skipped.
 */
export function linkerdCniPlugin(ctx: CheckContext, cniEnabled: () => Promise<boolean>): Category {
  const ns = ctx.options.cniNamespace;
  const guarded = (spec: CheckSpec): CheckSpec => ({
    ...spec,
    run: async (signal) => {
      if (!(await cniEnabled())) throw new SkipCheck('skipping check because CNI is not enabled');
      return spec.run(signal);
    },
  });
  const exists = (kind: string, path: string, anchor: string): CheckSpec =>
    guarded({
      description: `cni plugin ${kind} exists`,
      hintAnchor: anchor,
      fatal: true,
      run: async (signal) => {
        if ((await getOrUndefined(await ctx.kube(), path, signal)) === undefined) {
          throw new Error(`missing ${kind}: linkerd-cni`);
        }
      },
    });
  return {
    id: 'linkerd-cni-plugin',
    checks: [
      guarded({
        description: 'cni plugin ConfigMap exists',
        hintAnchor: 'cni-plugin-cm-exists',
        fatal: true,
        run: async (signal) => {
          await getRaw(await ctx.kube(), `/api/v1/namespaces/${ns}/configmaps/linkerd-cni-config`, signal);
        },
      }),
      exists('ClusterRole', '/apis/rbac.authorization.k8s.io/v1/clusterroles/linkerd-cni', 'cni-plugin-cr-exists'),
      exists(
        'ClusterRoleBinding',
        '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/linkerd-cni',
        'cni-plugin-crb-exists',
      ),
      exists('ServiceAccount', `/api/v1/namespaces/${ns}/serviceaccounts/linkerd-cni`, 'cni-plugin-sa-exists'),
      exists('DaemonSet', `/apis/apps/v1/namespaces/${ns}/daemonsets/linkerd-cni`, 'cni-plugin-ds-exists'),
      guarded({
        description: 'cni plugin pod is running on all nodes',
        hintAnchor: 'cni-plugin-ready',
        fatal: true,
        retry: true,
        surfaceErrorOnRetry: true,
        run: async (signal) => {
          const ds = await getRaw<DaemonSet>(
            await ctx.kube(),
            `/apis/apps/v1/namespaces/${ns}/daemonsets/linkerd-cni`,
            signal,
          );
          const scheduled = ds.status?.desiredNumberScheduled ?? 0;
          const ready = ds.status?.numberReady ?? 0;
          if (scheduled !== ready) throw new Error(`number ready: ${ready}, number scheduled: ${scheduled}`);
        },
      }),
    ],
  };
}
