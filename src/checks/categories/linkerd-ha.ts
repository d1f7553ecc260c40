import type { V1Deployment } from '@kubernetes/client-node';
import type { CheckContext } from '../context.js';
import { getRaw } from '../kube-api.js';
import { SkipCheck, type Category } from '../model.js';

const HA_DEPLOYMENTS = ['linkerd-destination', 'linkerd-identity', 'linkerd-proxy-injector'];

export function linkerdHa(ctx: CheckContext): Category {
  return {
    id: 'linkerd-ha-checks',
    checks: [
      {
        description: 'multiple replicas of control plane pods',
        hintAnchor: 'l5d-control-plane-replicas',
        warning: true,
        retry: true,
        run: async (signal) => {
          if ((await ctx.linkerdConfig()).values.highAvailability !== true)
            throw new SkipCheck('not run for non HA installs');
          const kube = await ctx.kube();
          const short = [];
          for (const name of HA_DEPLOYMENTS) {
            const path = `/apis/apps/v1/namespaces/${ctx.options.namespace}/deployments/${name}`;
            const deploy = await getRaw<V1Deployment>(kube, path, signal);
            if ((deploy.status?.availableReplicas ?? 0) <= 1) short.push(name);
          }
          if (short.length > 0) throw new Error(`not enough replicas available for [${short.join(' ')}]`);
        },
      },
    ],
  };
}
