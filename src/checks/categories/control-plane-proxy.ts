import type { CheckContext } from '../context.js';
import { getRaw } from '../kube-api.js';
import type { Category } from '../model.js';
import { checkProxiesMatchCli, checkProxiesUpToDate } from '../proxy-versions.js';
import { listItems } from '../object-lists.js';
import { checkPodsRunning, podStatus, type Pod } from '../pods.js';

export function controlPlaneProxy(ctx: CheckContext): Category {
  const ns = ctx.options.namespace;
  const pods = async (signal?: AbortSignal): Promise<Pod[]> =>
    listItems<Pod>(await ctx.kube(), `/api/v1/namespaces/${ns}/pods`, 'linkerd.io/control-plane-ns', signal);
  const running = async (): Promise<Pod[]> => (await pods()).filter((p) => podStatus(p) === 'Running');
  return {
    id: 'linkerd-control-plane-proxy',
    checks: [
      {
        description: 'control plane proxies are healthy',
        hintAnchor: 'l5d-cp-proxy-healthy',
        fatal: true,
        retry: true,
        surfaceErrorOnRetry: true,
        run: async (signal) => {
          checkPodsRunning(await pods(signal), ns);
          // Control-plane pods are exempt from the trust-bundle comparison; the bundle must be readable.
          await getRaw(await ctx.kube(), `/api/v1/namespaces/${ns}/configmaps/linkerd-identity-trust-roots`, signal);
        },
      },
      {
        description: 'control plane proxies are up-to-date',
        hintAnchor: 'l5d-cp-proxy-version',
        warning: true,
        run: () => checkProxiesUpToDate(ctx.latestChannels, running),
      },
      {
        description: 'control plane proxies and cli versions match',
        hintAnchor: 'l5d-cp-proxy-cli-version',
        warning: true,
        run: () => checkProxiesMatchCli(ctx.options.cliVersion, running),
      },
    ],
  };
}
