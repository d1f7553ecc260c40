import type { V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { CheckContext } from '../context.js';
import { apiErrorText, getOrUndefined, getRaw } from '../kube-api.js';
import { checkPodLabels, checkServiceAnnotations, checkServiceLabels } from '../labels.js';
import { memoize } from '../memo.js';
import type { Category } from '../model.js';
import { checkProxiesMatchCli, checkProxiesUpToDate } from '../proxy-versions.js';
import { listItems } from '../object-lists.js';
import { opaquePortProblems } from '../opaque-ports.js';
import { checkPodsRunning, podStatus, type Pod } from '../pods.js';
import { checkTrustBundles } from '../trust-bundle.js';

/** Pods and Services of `-n` (or every namespace). */
function scope(ctx: CheckContext) {
  const dp = ctx.options.dataPlaneNamespace;
  const base = dp === '' ? '/api/v1' : `/api/v1/namespaces/${dp}`;
  return {
    dp,
    pods: async (selector: string, signal?: AbortSignal) =>
      listItems<Pod>(await ctx.kube(), `${base}/pods`, selector, signal),
    services: async (signal?: AbortSignal) =>
      listItems<V1Service>(await ctx.kube(), `${base}/services`, undefined, signal),
  };
}

export function linkerdIdentityDataPlane(ctx: CheckContext): Category {
  const { dp, pods } = scope(ctx);
  return {
    id: 'linkerd-identity-data-plane',
    checks: [
      {
        description: 'data plane proxies certificate match CA',
        hintAnchor: 'l5d-identity-data-plane-proxies-certs-match-ca',
        warning: true,
        run: async (signal) =>
          checkTrustBundles(
            await ctx.kube(),
            ctx.options.namespace,
            await pods('linkerd.io/control-plane-ns', signal),
            dp !== '',
            signal,
          ),
      },
    ],
  };
}

export function linkerdDataPlane(ctx: CheckContext): Category {
  const { dp, pods, services } = scope(ctx);
  const meshed = (signal?: AbortSignal) => pods(`linkerd.io/control-plane-ns=${ctx.options.namespace}`, signal);
  const running = memoize(async () => (await meshed()).filter((p) => podStatus(p) === 'Running'));
  return {
    id: 'linkerd-data-plane',
    checks: [
      {
        description: 'data plane namespace exists',
        hintAnchor: 'l5d-data-plane-exists',
        fatal: true,
        run: async (signal) => {
          if (dp === '') return;
          if ((await getOrUndefined(await ctx.kube(), `/api/v1/namespaces/${dp}`, signal)) === undefined) {
            throw new Error(`The "${dp}" namespace does not exist`);
          }
        },
      },
      {
        description: 'data plane proxies are ready',
        hintAnchor: 'l5d-data-plane-ready',
        fatal: true,
        retry: true,
        run: async (signal) => checkPodsRunning(await meshed(signal), dp),
      },
      {
        description: 'data plane is up-to-date',
        hintAnchor: 'l5d-data-plane-version',
        warning: true,
        run: () => checkProxiesUpToDate(ctx.latestChannels, running),
      },
      {
        description: 'data plane and cli versions match',
        hintAnchor: 'l5d-data-plane-cli-version',
        warning: true,
        run: () => checkProxiesMatchCli(ctx.options.cliVersion, running),
      },
      {
        description: 'data plane pod labels are configured correctly',
        hintAnchor: 'l5d-data-plane-pod-labels',
        warning: true,
        run: async (signal) => checkPodLabels(await meshed(signal)),
      },
      {
        description: 'data plane service labels are configured correctly',
        hintAnchor: 'l5d-data-plane-services-labels',
        warning: true,
        run: async (signal) => checkServiceLabels(await services(signal)),
      },
      {
        description: 'data plane service annotations are configured correctly',
        hintAnchor: 'l5d-data-plane-services-annotations',
        warning: true,
        run: async (signal) => checkServiceAnnotations(await services(signal)),
      },
      {
        description: 'opaque ports are properly annotated',
        hintAnchor: 'linkerd-opaque-ports-definition',
        warning: true,
        run: async (signal) => {
          const kube = await ctx.kube();
          const all = await pods('', signal);
          const problems: string[] = [];
          for (const svc of await services(signal)) {
            if (svc.spec?.clusterIP === 'None') continue;
            const ns = svc.metadata?.namespace ?? '';
            const path = `/api/v1/namespaces/${ns}/endpoints/${svc.metadata?.name ?? ''}`;
            let endpoints: V1Endpoints;
            try {
              endpoints = await getRaw<V1Endpoints>(kube, path, signal);
            } catch (err) {
              throw new Error(apiErrorText(err));
            }
            const podsByName = new Map(
              all.filter((p) => p.metadata?.namespace === ns).map((p) => [p.metadata?.name ?? '', p] as const),
            );
            problems.push(...opaquePortProblems(svc, endpoints, podsByName));
          }
          if (problems.length > 0) throw new Error(problems.map((p) => `\t* ${p}`).join('\n    '));
        },
      },
    ],
  };
}
