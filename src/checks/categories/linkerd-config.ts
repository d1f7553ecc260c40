import type { V1Node } from '@kubernetes/client-node';
import type { CheckContext } from '../context.js';
import { checkLinkerdCrds } from '../crds.js';
import { getOrUndefined } from '../kube-api.js';
import { SkipCheck, type Category, type CheckSpec } from '../model.js';
import { listItems, requireNamed } from '../object-lists.js';

export const DOCKER_RUNTIME_MESSAGE =
  'there are nodes using the docker container runtime and proxy-init container must run as root user.\ntry installing linkerd via --set proxyInit.runAsRoot=true';

export function linkerdConfigCategory(ctx: CheckContext): Category {
  const ns = ctx.options.namespace;
  const rbacNames = [`linkerd-${ns}-identity`, `linkerd-${ns}-proxy-injector`];
  const named = (description: string, anchor: string, kinds: string, path: string, names: string[]): CheckSpec => ({
    description,
    hintAnchor: anchor,
    fatal: true,
    run: async (signal) => requireNamed(await ctx.kube(), kinds, path, names, signal),
  });
  return {
    id: 'linkerd-config',
    checks: [
      {
        description: 'control plane Namespace exists',
        hintAnchor: 'l5d-existence-ns',
        fatal: true,
        run: async (signal) => {
          if ((await getOrUndefined(await ctx.kube(), `/api/v1/namespaces/${ns}`, signal)) === undefined) {
            throw new Error(`The "${ns}" namespace does not exist`);
          }
        },
      },
      named(
        'control plane ClusterRoles exist',
        'l5d-existence-cr',
        'ClusterRoles',
        '/apis/rbac.authorization.k8s.io/v1/clusterroles',
        rbacNames,
      ),
      named(
        'control plane ClusterRoleBindings exist',
        'l5d-existence-crb',
        'ClusterRoleBindings',
        '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
        rbacNames,
      ),
      named(
        'control plane ServiceAccounts exist',
        'l5d-existence-sa',
        'ServiceAccounts',
        `/api/v1/namespaces/${ns}/serviceaccounts`,
        ['linkerd-destination', 'linkerd-identity', 'linkerd-proxy-injector'],
      ),
      {
        description: 'control plane CustomResourceDefinitions exist',
        hintAnchor: 'l5d-existence-crd',
        fatal: true,
        run: async (signal) => checkLinkerdCrds(await ctx.kube(), ctx.deps.crdRequirements(), signal),
      },
      named(
        'control plane MutatingWebhookConfigurations exist',
        'l5d-existence-mwc',
        'MutatingWebhookConfigurations',
        '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
        ['linkerd-proxy-injector-webhook-config'],
      ),
      named(
        'control plane ValidatingWebhookConfigurations exist',
        'l5d-existence-vwc',
        'ValidatingWebhookConfigurations',
        '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
        ['linkerd-sp-validator-webhook-config'],
      ),
      {
        description: 'proxy-init container runs as root user if docker container runtime is used',
        hintAnchor: 'l5d-proxy-init-run-as-root',
        run: async (signal) => {
          const config = await ctx.linkerdConfig().catch(() => undefined);
          if (config === undefined) throw new SkipCheck('linkerd-config is missing');
          if (config.values.proxyInit?.runAsRoot === true) return;
          const nodes = await listItems<V1Node>(await ctx.kube(), '/api/v1/nodes', undefined, signal);
          if (nodes.some((n) => (n.status?.nodeInfo?.containerRuntimeVersion ?? '').startsWith('docker:'))) {
            throw new Error(DOCKER_RUNTIME_MESSAGE);
          }
        },
      },
    ],
  };
}
