import type { X509Certificate } from 'node:crypto';
import {
  anchorCryptoProblem,
  expiresSoon,
  issuerCryptoProblem,
  listProblems,
  notAfter,
  parseCerts,
  requireKeyMatches,
  rfc3339,
  validityProblem,
  verifyChain,
} from '../certs.js';
import type { CheckContext } from '../context.js';
import { getRaw } from '../kube-api.js';
import { memoize } from '../memo.js';
import type { Category } from '../model.js';

interface IssuerData {
  issuer: X509Certificate;
  anchors: X509Certificate[];
}

const SECRET = 'linkerd-identity-issuer';

/** Reads and parses the issuer credentials the way `identity.issuer.scheme` says they are stored. */
async function loadIssuerData(ctx: CheckContext): Promise<IssuerData> {
  const { values } = await ctx.linkerdConfig();
  const external = (values.identity?.issuer?.scheme || 'linkerd.io/tls') !== 'linkerd.io/tls';
  const secret = await getRaw<{ data?: Record<string, string> }>(
    await ctx.kube(),
    `/api/v1/namespaces/${ctx.options.namespace}/secrets/${SECRET}`,
  );
  const read = (key: string, what: string): string => {
    const b64 = secret.data?.[key];
    if (!b64) {
      throw new Error(
        `key ${key} containing the ${what} needs to exist in secret ${SECRET} if --identity-external-issuer=${external}`,
      );
    }
    return Buffer.from(b64, 'base64').toString('utf8');
  };
  const anchorsPem = external ? read('ca.crt', 'trust anchors') : (values.identityTrustAnchorsPEM ?? '');
  const crt = read(external ? 'tls.crt' : 'crt.pem', 'issuer certificate');
  const key = read(external ? 'tls.key' : 'key.pem', 'issuer key');
  let issuer: X509Certificate;
  try {
    [issuer] = parseCerts(crt) as [X509Certificate];
  } catch (err) {
    throw new Error(`could not parse issuer certificate: ${(err as Error).message}`);
  }
  requireKeyMatches(issuer, key);
  return { issuer, anchors: parseCerts(anchorsPem) };
}

export function linkerdIdentity(ctx: CheckContext): Category {
  const data = memoize(() => loadIssuerData(ctx));
  const now = (): Date => new Date(ctx.deps.clock.now());
  const fail = (message: string | undefined): void => {
    if (message !== undefined) throw new Error(message);
  };
  return {
    id: 'linkerd-identity',
    checks: [
      {
        description: 'certificate config is valid',
        hintAnchor: 'l5d-identity-cert-config-valid',
        fatal: true,
        run: async () => {
          await data();
        },
      },
      {
        description: 'trust anchors are using supported crypto algorithm',
        hintAnchor: 'l5d-identity-trustAnchors-use-supported-crypto',
        fatal: true,
        run: async () => fail(listProblems('Invalid trustAnchors:', (await data()).anchors, anchorCryptoProblem)),
      },
      {
        description: 'trust anchors are within their validity period',
        hintAnchor: 'l5d-identity-trustAnchors-are-time-valid',
        fatal: true,
        run: async () =>
          fail(listProblems('Invalid anchors:', (await data()).anchors, (c) => validityProblem(c, now()))),
      },
      {
        description: 'trust anchors are valid for at least 60 days',
        hintAnchor: 'l5d-identity-trustAnchors-not-expiring-soon',
        warning: true,
        run: async () =>
          fail(
            listProblems('Anchors expiring soon:', (await data()).anchors, (c) =>
              expiresSoon(c, now()) ? `will expire on ${rfc3339(notAfter(c))}` : undefined,
            ),
          ),
      },
      {
        description: 'issuer cert is using supported crypto algorithm',
        hintAnchor: 'l5d-identity-issuer-cert-uses-supported-crypto',
        fatal: true,
        run: async () => {
          const problem = issuerCryptoProblem((await data()).issuer);
          fail(problem === undefined ? undefined : `issuer certificate ${problem}`);
        },
      },
      {
        description: 'issuer cert is within its validity period',
        hintAnchor: 'l5d-identity-issuer-cert-is-time-valid',
        fatal: true,
        run: async () => {
          const problem = validityProblem((await data()).issuer, now());
          fail(problem === undefined ? undefined : `issuer certificate is ${problem}`);
        },
      },
      {
        description: 'issuer cert is valid for at least 60 days',
        hintAnchor: 'l5d-identity-issuer-cert-not-expiring-soon',
        warning: true,
        run: async () => {
          const { issuer } = await data();
          fail(
            expiresSoon(issuer, now()) ? `issuer certificate will expire on ${rfc3339(notAfter(issuer))}` : undefined,
          );
        },
      },
      {
        description: 'issuer cert is issued by the trust anchor',
        hintAnchor: 'l5d-identity-issuer-cert-issued-by-trust-anchor',
        run: async () => {
          const { issuer, anchors } = await data();
          verifyChain(issuer, anchors, now());
        },
      },
    ],
  };
}
