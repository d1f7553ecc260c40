import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { generateKeyAndCsr, refreshDelayMs } from '../../src/runtime/clients/identity-client.js';
import { buildIssuer, type Issuer } from '../../src/runtime/identity/issuer.js';
import { leafWindow } from '../../src/runtime/identity/leaf.js';
import { identityService, MAX_TOKEN_BYTES, type CertifyDeps } from '../../src/runtime/identity/service.js';
import type { TokenReviewStatus } from '../../src/runtime/identity/token.js';
import { sanExtension, verifyChain, x509 } from '../../src/runtime/identity/x509.js';
import { CertifyRequestSchema, CertifyResponseSchema } from '../../src/proto/gen/identity_pb.js';
import { createTestPki, customCsr } from '../support/identity-pki.js';

const SUFFIX = 'identity.linkerd.cluster.local';
const WEB = `web.emojivoto.serviceaccount.${SUFFIX}`;

async function setup(reviews: Record<string, TokenReviewStatus> = {}, pkiOpts = {}) {
  const pki = await createTestPki(pkiOpts);
  const issuer = await buildIssuer(pki.issuerCertPem, pki.issuerKeyPem, [pki.anchor], SUFFIX, new Date());
  const calls: { token: string; audiences: string[] }[] = [];
  const events: string[] = [];
  const deps: CertifyDeps = {
    issuer: () => issuer,
    anchors: [pki.anchor],
    validity: { lifetimeMs: 24 * 3_600_000, clockSkewMs: 20_000 },
    trustDomainSuffix: SUFFIX,
    review: async (token, audiences) => {
      calls.push({ token, audiences });
      return reviews[token] ?? { authenticated: false };
    },
    onIssuerInvalid: (err, id) => events.push(`invalid ${id}: ${err.message}`),
    onIssued: (id) => events.push(`issued ${id}`),
  };
  const svc = identityService(deps);
  const certify = async (identity: string, token: string, csr: Uint8Array) =>
    create(
      CertifyResponseSchema,
      await svc.certify!(
        create(CertifyRequestSchema, { identity, token: Buffer.from(token), certificateSigningRequest: csr }),
        {} as HandlerContext,
      ),
    );
  return { pki, issuer, calls, events, certify, deps };
}

const webReview: TokenReviewStatus = { authenticated: true, user: { username: 'system:serviceaccount:emojivoto:web' } };

async function refusal(p: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ConnectError, `not a ConnectError: ${String(err)}`);
    return { code: err.code, message: err.rawMessage };
  }
  assert.fail('expected a refusal');
}

describe('Certify', () => {
  test('issues a leaf with the spec fields for the token owner', async () => {
    const { certify, calls, events, pki } = await setup({ tok: webReview });
    const { csrDer } = await generateKeyAndCsr(WEB);
    const before = Date.now();
    const res = await certify(WEB, 'tok', csrDer);
    assert.deepEqual(calls, [{ token: 'tok', audiences: ['identity.l5d.io'] }]);
    const leaf = new x509.X509Certificate(res.leafCertificate);
    assert.equal(leaf.subject, `CN=${WEB}`);
    assert.equal(leaf.issuer, pki.issuer.subject);
    assert.deepEqual(
      sanExtension(leaf)?.names.items.map((n) => [n.type, n.value]),
      [['dns', WEB]],
    );
    const ku = leaf.getExtension(x509.KeyUsagesExtension);
    assert.equal(ku?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
    const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
    assert.deepEqual([...(eku?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    assert.equal(leaf.getExtension(x509.BasicConstraintsExtension), null);
    const alg = leaf.signatureAlgorithm as unknown as { name: string; hash: { name: string } };
    assert.deepEqual([alg.name, alg.hash.name], ['ECDSA', 'SHA-256']);
    // −20 s backdating and +24 h 20 s lifetime (second resolution).
    assert.ok(Math.abs(leaf.notBefore.getTime() - (before - 20_000)) < 2000);
    assert.ok(Math.abs(leaf.notAfter.getTime() - (before + 86_420_000)) < 2000);
    assert.equal(timestampDate(res.validUntil!).getTime(), leaf.notAfter.getTime());
    assert.equal(res.intermediateCertificates.length, 1);
    assert.deepEqual(Buffer.from(res.intermediateCertificates[0]!), Buffer.from(pki.issuer.rawData));
    await verifyChain(leaf, [pki.issuer], [pki.anchor], new Date());
    assert.deepEqual(events, [`issued ${WEB}`]);
  });

  test('serials count up per issuer', async () => {
    const { certify } = await setup({ tok: webReview });
    const { csrDer } = await generateKeyAndCsr(WEB);
    const a = new x509.X509Certificate((await certify(WEB, 'tok', csrDer)).leafCertificate);
    const b = new x509.X509Certificate((await certify(WEB, 'tok', csrDer)).leafCertificate);
    assert.equal(BigInt(`0x${b.serialNumber}`) - BigInt(`0x${a.serialNumber}`), 1n);
  });

  test('refuses missing fields in order', async () => {
    const { certify } = await setup();
    const { csrDer } = await generateKeyAndCsr(WEB);
    assert.deepEqual(await refusal(certify('', 't', csrDer)), {
      code: Code.InvalidArgument,
      message: 'missing identity',
    });
    assert.deepEqual(await refusal(certify(WEB, '', csrDer)), { code: Code.InvalidArgument, message: 'missing token' });
    assert.deepEqual(await refusal(certify(WEB, 't', new Uint8Array())), {
      code: Code.InvalidArgument,
      message: 'missing certificate signing request',
    });
    const garbage = await refusal(certify(WEB, 't', new Uint8Array([1, 2, 3, 4])));
    assert.equal(garbage.code, Code.InvalidArgument);
  });

  test('a token over the bound is INVALID_ARGUMENT and never reaches TokenReview', async () => {
    const { certify, calls } = await setup({ tok: webReview });
    const { csrDer } = await generateKeyAndCsr(WEB);
    const r = await refusal(certify(WEB, 'x'.repeat(MAX_TOKEN_BYTES + 1), csrDer));
    assert.deepEqual(r, {
      code: Code.InvalidArgument,
      message: `token too large: ${MAX_TOKEN_BYTES + 1} bytes (at most ${MAX_TOKEN_BYTES})`,
    });
    assert.deepEqual(calls, []);
  });

  test('unavailable before the issuer is loaded', async () => {
    const { deps } = await setup();
    const svc = identityService({ ...deps, issuer: () => undefined });
    const r = await refusal(
      Promise.resolve(svc.certify!(create(CertifyRequestSchema, { identity: WEB }), {} as HandlerContext)),
    );
    assert.deepEqual(r, { code: Code.Unavailable, message: 'cert issuer not ready yet' });
  });

  test('CSR name checks', async () => {
    const { certify } = await setup({ tok: webReview });
    const cases: [Parameters<typeof customCsr>[0], string][] = [
      [{ cn: WEB }, 'CSR must have exactly one DNSName'],
      [
        {
          san: [
            { type: 'dns', value: WEB },
            { type: 'dns', value: 'x' },
          ],
        },
        'CSR must have exactly one DNSName',
      ],
      [{ san: [{ type: 'dns', value: 'other' }] }, `CSR name does not match requested identity: csr=other; req=${WEB}`],
      [{ cn: 'bob', san: [{ type: 'dns', value: WEB }] }, 'invalid CommonName: bob'],
      [
        {
          san: [
            { type: 'dns', value: WEB },
            { type: 'email', value: 'a@b.c' },
          ],
        },
        'cannot validate email addresses',
      ],
      [
        {
          san: [
            { type: 'dns', value: WEB },
            { type: 'ip', value: '10.0.0.1' },
          ],
        },
        'cannot validate IP addresses',
      ],
      [
        {
          san: [
            { type: 'dns', value: WEB },
            { type: 'url', value: 'spiffe://x/y' },
          ],
        },
        'cannot validate URIs',
      ],
    ];
    for (const [params, message] of cases) {
      assert.deepEqual(await refusal(certify(WEB, 'tok', await customCsr(params))), {
        code: Code.FailedPrecondition,
        message,
      });
    }
    // An empty CN is accepted.
    await certify(WEB, 'tok', await customCsr({ san: [{ type: 'dns', value: WEB }] }));
  });

  test('token review outcomes', async () => {
    const { certify, calls } = await setup({
      other: { authenticated: true, user: { username: 'system:serviceaccount:emojivoto:voting' } },
      unauth: { authenticated: false },
      err: { error: 'token has expired' },
      aud: { error: 'token audiences ["x"] is invalid for the target audiences' },
      node: { authenticated: true, user: { username: 'system:node:n1' } },
      caps: { authenticated: true, user: { username: 'system:serviceaccount:Emoji:web' } },
    });
    const { csrDer } = await generateKeyAndCsr(WEB);
    assert.deepEqual(await refusal(certify(WEB, 'other', csrDer)), {
      code: Code.FailedPrecondition,
      message: `requested identity did not match provided token: requested=${WEB}; found=voting.emojivoto.serviceaccount.${SUFFIX}`,
    });
    assert.deepEqual(await refusal(certify(WEB, 'unauth', csrDer)), {
      code: Code.FailedPrecondition,
      message: 'authentication token could not be authenticated',
    });
    assert.deepEqual(await refusal(certify(WEB, 'err', csrDer)), {
      code: Code.InvalidArgument,
      message: 'token has expired',
    });
    calls.length = 0;
    // Audience error → retried once without audiences (then unknown token → not authenticated).
    await refusal(certify(WEB, 'aud', csrDer));
    assert.deepEqual(
      calls.map((c) => c.audiences),
      [['identity.l5d.io'], []],
    );
    assert.deepEqual(await refusal(certify(WEB, 'node', csrDer)), {
      code: Code.InvalidArgument,
      message: 'Username must be in form system:TYPE:NS:SA: system:node:n1',
    });
    assert.deepEqual(await refusal(certify(WEB, 'caps', csrDer)), {
      code: Code.InvalidArgument,
      message: 'Not a label: Emoji',
    });
  });

  test('a failing TokenReview call is INTERNAL', async () => {
    const { deps } = await setup();
    const svc = identityService({
      ...deps,
      review: () => Promise.reject(new Error('connection refused')),
    });
    const { csrDer } = await generateKeyAndCsr(WEB);
    const r = await refusal(
      Promise.resolve(
        svc.certify!(
          create(CertifyRequestSchema, { identity: WEB, token: Buffer.from('t'), certificateSigningRequest: csrDer }),
          {} as HandlerContext,
        ),
      ),
    );
    assert.deepEqual(r, { code: Code.Internal, message: `error validating token for ${WEB}: connection refused` });
  });

  test('leaves carry exactly the identity: fixed subject, one DNS SAN, whatever else the CSR asks for', async () => {
    const { certify } = await setup({ tok: webReview });
    const csr = await customCsr({
      subject: `CN=${WEB}, O=system:masters, OU=admins`,
      san: [
        { type: 'dns', value: WEB },
        { type: 'upn', value: 'admin@corp.example' },
        { type: 'dn', value: 'CN=root, O=system:masters' },
      ],
    });
    const leaf = new x509.X509Certificate((await certify(WEB, 'tok', csr)).leafCertificate);
    assert.equal(leaf.subject, `CN=${WEB}`);
    assert.deepEqual(
      sanExtension(leaf)?.names.items.map((n) => [n.type, n.value]),
      [['dns', WEB]],
    );
    const empty = new x509.X509Certificate(
      (await certify(WEB, 'tok', await customCsr({ san: [{ type: 'dns', value: WEB }] }))).leafCertificate,
    );
    assert.equal(empty.subject, `CN=${WEB}`);
  });

  test('only P-256 keys are certified', async () => {
    const { certify } = await setup({ tok: webReview });
    const csr = await customCsr({ curve: 'P-384', san: [{ type: 'dns', value: WEB }] });
    assert.deepEqual(await refusal(certify(WEB, 'tok', csr)), {
      code: Code.InvalidArgument,
      message: 'CSR must contain an ECDSA P-256 public key: P-384',
    });
  });

  test('RSA CSR keys are refused as INTERNAL', async () => {
    const { certify } = await setup({ tok: webReview });
    const r = await refusal(certify(WEB, 'tok', await customCsr({ rsa: true, san: [{ type: 'dns', value: WEB }] })));
    assert.equal(r.code, Code.Internal);
    assert.match(r.message, /^CSR must contain an ECDSA public key/);
  });

  test('an expired issuer fails with UNKNOWN and an IssuerValidationFailed event', async () => {
    const { deps, events } = await setup({ tok: webReview });
    const issuer = deps.issuer() as Issuer;
    const svc = identityService({ ...deps, now: () => new Date(issuer.certificate.notAfter.getTime() + 1000) });
    const { csrDer } = await generateKeyAndCsr(WEB);
    const r = await refusal(
      Promise.resolve(
        svc.certify!(
          create(CertifyRequestSchema, { identity: WEB, token: Buffer.from('tok'), certificateSigningRequest: csrDer }),
          {} as HandlerContext,
        ),
      ),
    );
    assert.equal(r.code, Code.Unknown);
    assert.match(r.message, /expired or is not yet valid/);
    assert.match(events[0] ?? '', new RegExp(`^invalid ${WEB}: x509: certificate has expired`));
  });
});

describe('issuer loading', () => {
  test('rejects a non-CA issuer, a mismatched key and an unrelated anchor', async () => {
    const pki = await createTestPki({ issuerIsCa: false });
    await assert.rejects(
      buildIssuer(pki.issuerCertPem, pki.issuerKeyPem, [pki.anchor], SUFFIX, new Date()),
      /it must be an intermediate-CA, but it is not/,
    );
    const other = await createTestPki();
    await assert.rejects(
      buildIssuer(pki.issuerCertPem, other.issuerKeyPem, [pki.anchor], SUFFIX, new Date()),
      /tls: Public and private key do not match/,
    );
    await assert.rejects(
      buildIssuer(other.issuerCertPem, other.issuerKeyPem, [pki.anchor], SUFFIX, new Date()),
      new RegExp(
        `failed to verify issuer credentials for '${SUFFIX}' with trust anchors: x509: certificate signed by unknown authority`,
      ),
    );
  });

  test('leaves are clamped to the issuer expiry', async () => {
    const soon = new Date(Date.now() + 3_600_000);
    const { certify } = await setup({ tok: webReview }, { issuerNotAfter: soon });
    const { csrDer } = await generateKeyAndCsr(WEB);
    const leaf = new x509.X509Certificate((await certify(WEB, 'tok', csrDer)).leafCertificate);
    assert.equal(Math.floor(leaf.notAfter.getTime() / 1000), Math.floor(soon.getTime() / 1000));
  });

  test('leafWindow', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const far = new Date('2027-01-01T00:00:00Z');
    assert.deepEqual(leafWindow(now, { lifetimeMs: 3_600_000, clockSkewMs: 10_000 }, far), {
      notBefore: new Date('2025-12-31T23:59:50Z'),
      notAfter: new Date('2026-01-01T01:00:10Z'),
    });
    assert.equal(
      leafWindow(
        now,
        { lifetimeMs: 3_600_000, clockSkewMs: 10_000 },
        new Date('2026-01-01T00:30:00Z'),
      ).notAfter.toISOString(),
      '2026-01-01T00:30:00.000Z',
    );
  });
});

describe('refreshDelayMs', () => {
  const MIN = 10_000;
  const MAX = 86_400_000;
  test('70 % of the remaining lifetime, clamped', () => {
    assert.equal(refreshDelayMs(0, 100_000, MIN, MAX), 70_000);
    assert.equal(refreshDelayMs(0, 5_000, MIN, MAX), MIN);
    assert.equal(refreshDelayMs(0, 10 * MAX, MIN, MAX), MAX);
    assert.equal(refreshDelayMs(1000, undefined, MIN, MAX), MIN);
    assert.equal(refreshDelayMs(1000, 500, MIN, MAX), MIN);
  });
});
