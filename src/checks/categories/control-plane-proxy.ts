import type { CheckContext } from '../context.js';
import { getRaw } from '../kube-api.js';
import type { Category } from '../model.js';
import { listItems } from '../object-lists.js';
import { checkPodsRunning, podStatus, proxyVersion, type Pod } from '../pods.js';
import { matchVersion } from '../versions.js';

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
        run: async () => {
          const channels = await ctx.latestChannels().catch(() => []);
          if (channels.length === 0) throw new Error('unable to determine version channel');
          const stale = (await running()).flatMap((pod) => {
            const version = proxyVersion(pod);
            try {
              matchVersion(version, channels);
              return [];
            } catch {
              return [`\n\t* ${pod.metadata?.name ?? ''} (${version})`];
            }
          });
          if (stale.length > 0) throw new Error(`some proxies are not running the current version:${stale.join('')}`);
        },
      },
      {
        description: 'control plane proxies and cli versions match',
        hintAnchor: 'l5d-cp-proxy-cli-version',
        warning: true,
        run: async () => {
          const cli = ctx.options.cliVersion;
          const odd = (await running()).find((pod) => proxyVersion(pod) !== cli);
          if (odd) throw new Error(`${odd.metadata?.name ?? ''} running ${proxyVersion(odd)} but cli running ${cli}`);
        },
      },
    ],
  };
}
