import type { X509Certificate } from 'node:crypto';
import { expiresSoon, listProblems, notAfter, parseCerts, rfc3339, validityProblem, verifyChain } from '../certs.js';
import type { CheckContext } from '../context.js';
import { getOrUndefined, getRaw } from '../kube-api.js';
import { memoize } from '../memo.js';
import { SkipCheck, type Category, type CheckSpec } from '../model.js';

interface Webhook {
  /** Label used in descriptions and anchors, e.g. `proxy-injector`. */
  name: string;
  configPath: string;
  secret: string;
  /** Pre-`k8s-tls` Secret name (keys `crt.pem`/`key.pem`), if the component ever had one. */
  oldSecret?: string;
  /** Not installed → the checks are skipped instead of failing. */
  optional: boolean;
}

interface ServingCert {
  anchors: X509Certificate[];
  /** Leaf first, then any intermediates bundled with it. */
  chain: X509Certificate[];
}

async function loadServingCert(ctx: CheckContext, hook: Webhook): Promise<ServingCert> {
  const kube = await ctx.kube();
  const ns = ctx.options.namespace;
  const config = await (hook.optional ? getOrUndefined : getRaw)<{
    webhooks?: { clientConfig?: { caBundle?: string } }[];
  }>(kube, hook.configPath);
  if (config === undefined) throw new SkipCheck(`${hook.name} not installed`);
  const webhooks = config.webhooks ?? [];
  if (webhooks.length !== 1) throw new Error(`expected 1 webhooks, found ${webhooks.length}`);
  const anchors = parseCerts(Buffer.from(webhooks[0]?.clientConfig?.caBundle ?? '', 'base64').toString('utf8'));
  const secretPath = (name: string): string => `/api/v1/namespaces/${ns}/secrets/${name}`;
  type Secret = { data?: Record<string, string> };
  let secret = await getOrUndefined<Secret>(kube, secretPath(hook.secret));
  let name = hook.secret;
  let crtKey = 'tls.crt';
  let keyKey = 'tls.key';
  if (secret === undefined) {
    if (hook.optional || hook.oldSecret === undefined) throw new SkipCheck(`${hook.name} not installed`);
    name = hook.oldSecret;
    [crtKey, keyKey] = ['crt.pem', 'key.pem'];
    secret = await getRaw<Secret>(kube, secretPath(name));
  }
  const data = secret.data ?? {};
  for (const key of [crtKey, keyKey]) {
    if (!data[key]) throw new Error(`key ${key} needs to exist in secret ${name}`);
  }
  return { anchors, chain: parseCerts(Buffer.from(data[crtKey] ?? '', 'base64').toString('utf8')) };
}

function webhookChecks(ctx: CheckContext, hook: Webhook): CheckSpec[] {
  const cert = memoize(() => loadServingCert(ctx, hook));
  const now = (): Date => new Date(ctx.deps.clock.now());
  const anchor = `l5d-${hook.name}-webhook-cert`;
  return [
    {
      description: `${hook.name} webhook has valid cert`,
      hintAnchor: `${anchor}-valid`,
      fatal: true,
      run: async () => {
        const { anchors, chain } = await cert();
        const [leaf] = chain as [X509Certificate];
        const expired = listProblems('anchors not within their validity period:', anchors, (c) =>
          validityProblem(c, now()),
        );
        if (expired !== undefined) throw new Error(expired);
        const invalid = validityProblem(leaf, now());
        if (invalid !== undefined) throw new Error(`certificate is ${invalid}`);
        try {
          verifyChain(leaf, anchors, now(), `linkerd-${hook.name}.${ctx.options.namespace}.svc`);
        } catch (err) {
          throw new Error(`cert is not issued by the trust anchor: ${(err as Error).message}`);
        }
      },
    },
    {
      description: `${hook.name} cert is valid for at least 60 days`,
      hintAnchor: `${anchor}-not-expiring-soon`,
      warning: true,
      run: async () => {
        const [leaf, ...intermediates] = (await cert()).chain as [X509Certificate, ...X509Certificate[]];
        const soon = listProblems('Anchors expiring soon:', intermediates, (c) =>
          expiresSoon(c, now()) ? `will expire on ${rfc3339(notAfter(c))}` : undefined,
        );
        if (soon !== undefined) throw new Error(soon);
        if (expiresSoon(leaf, now())) throw new Error(`certificate will expire on ${rfc3339(notAfter(leaf))}`);
      },
    },
  ];
}

const ADMISSION = '/apis/admissionregistration.k8s.io/v1';

export function linkerdWebhooks(ctx: CheckContext): Category {
  return {
    id: 'linkerd-webhooks-and-apisvc-tls',
    checks: [
      ...webhookChecks(ctx, {
        name: 'proxy-injector',
        configPath: `${ADMISSION}/mutatingwebhookconfigurations/linkerd-proxy-injector-webhook-config`,
        secret: 'linkerd-proxy-injector-k8s-tls',
        oldSecret: 'linkerd-proxy-injector-tls',
        optional: false,
      }),
      ...webhookChecks(ctx, {
        name: 'sp-validator',
        configPath: `${ADMISSION}/validatingwebhookconfigurations/linkerd-sp-validator-webhook-config`,
        secret: 'linkerd-sp-validator-k8s-tls',
        oldSecret: 'linkerd-sp-validator-tls',
        optional: false,
      }),
      ...webhookChecks(ctx, {
        name: 'policy-validator',
        configPath: `${ADMISSION}/validatingwebhookconfigurations/linkerd-policy-validator-webhook-config`,
        secret: 'linkerd-policy-validator-k8s-tls',
        optional: true,
      }),
    ],
  };
}
