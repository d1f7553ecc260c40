import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey, createPrivateKey, webcrypto } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { Registry } from 'prom-client';
import {
  checkWorkloadCertificate,
  dnsNames,
  parseCertificateBundle,
  parseSubjectAltNames,
  verifyChain,
} from '../../src/runtime/clients/certificate-checks.js';
import {
  IdentityClient,
  generateKeyAndCsr,
  type IdentityKeyMaterial,
} from '../../src/runtime/clients/identity-client.js';
import { GrpcChannel } from '../../src/runtime/clients/grpc-channel.js';
import { buildIssuer } from '../../src/runtime/identity/issuer.js';
import { startGrpcServer, type GrpcServer } from '../../src/runtime/shared/grpc-server.js';
import { identityService } from '../../src/runtime/identity/service.js';
import { x509 } from '../../src/runtime/identity/x509.js';
import { CertifyResponseSchema, Identity } from '../../src/proto/gen/identity_pb.js';
import { createTestPki, type TestPki } from '../support/identity-pki.js';

const SUFFIX = 'identity.linkerd.cluster.local';
const WEB = `web.emojivoto.serviceaccount.${SUFFIX}`;
const HOUR = 3_600_000;
const ALG = { name: 'ECDSA', hash: 'SHA-256' };

const tokenDir = mkdtempSync(join(tmpdir(), 'l5d-idc-'));
const tokenFile = join(tokenDir, 'token');
after(() => rmSync(tokenDir, { recursive: true, force: true }));
writeFileSync(tokenFile, 'tok');

async function issuerSigningKey(pki: TestPki): Promise<webcrypto.CryptoKey> {
  const der = createPrivateKey(pki.issuerKeyPem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
}

/** A leaf signed by `pki`'s issuer, with whatever names, key and window a test needs. */
async function leafFor(
  pki: TestPki,
  opts: { key: IdentityKeyMaterial; san?: { type: 'dns' | 'url'; value: string }[]; notAfter?: Date },
): Promise<Uint8Array> {
  const pub = createPublicKey(createPrivateKey({ key: Buffer.from(opts.key.keyPkcs8), format: 'der', type: 'pkcs8' }));
  const publicKey = await webcrypto.subtle.importKey(
    'spki',
    pub.export({ type: 'spki', format: 'der' }),
    { name: 'ECDSA', namedCurve: 'P-256' },
    true,
    ['verify'],
  );
  const now = Date.now();
  const notAfter = opts.notAfter ?? new Date(now + 24 * HOUR);
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${WEB}`,
    issuer: pki.issuer.subjectName,
    publicKey: publicKey as never,
    signingKey: (await issuerSigningKey(pki)) as never,
    notBefore: new Date(Math.min(now, notAfter.getTime()) - HOUR),
    notAfter,
    signingAlgorithm: ALG,
    extensions: [new x509.SubjectAlternativeNameExtension(opts.san ?? [{ type: 'dns', value: WEB }])],
  });
  return new Uint8Array(cert.rawData);
}

/** One loopback gRPC server for the file; each test installs the Certify it needs. */
let certifyImpl: ServiceImpl<typeof Identity> | undefined;
let server: GrpcServer;
let channel: GrpcChannel;
before(async () => {
  server = await startGrpcServer(
    '127.0.0.1:0',
    (router) => router.service(Identity, { certify: (req, ctx) => certifyImpl!.certify(req, ctx) }),
    new Registry(),
  );
  channel = new GrpcChannel({ address: `127.0.0.1:${server.address.port}` });
});
after(async () => {
  channel.close();
  await server.close();
});

/** An IdentityClient whose Certify, over HTTP/2 on loopback, is `impl`. */
function clientFor(impl: ServiceImpl<typeof Identity>, key: IdentityKeyMaterial, anchorsPem?: string) {
  certifyImpl = impl;
  return new IdentityClient({ channel, identity: WEB, tokenFile, key, trustAnchorsPem: anchorsPem });
}

/** A Certify that answers with a fixed chain. */
function answering(leaf: Uint8Array, intermediates: Uint8Array[], validUntil = new Date(Date.now() + HOUR)) {
  return {
    certify: () =>
      create(CertifyResponseSchema, {
        leafCertificate: leaf,
        intermediateCertificates: intermediates,
        validUntil: timestampFromDate(validUntil),
      }),
  };
}

describe('IdentityClient.certify', () => {
  let pki: TestPki;
  let key: IdentityKeyMaterial;
  before(async () => {
    pki = await createTestPki();
    key = await generateKeyAndCsr(WEB);
  });
  const issuerDer = () => new Uint8Array(pki.issuer.rawData);

  test('installs a certificate from the real Certify service, in the form TLS loads', async () => {
    const issuer = await buildIssuer(pki.issuerCertPem, pki.issuerKeyPem, [pki.anchor], SUFFIX, new Date());
    const svc = identityService({
      issuer: () => issuer,
      anchors: [pki.anchor],
      validity: { lifetimeMs: 24 * HOUR, clockSkewMs: 20_000 },
      trustDomainSuffix: SUFFIX,
      review: async () => ({ authenticated: true, user: { username: 'system:serviceaccount:emojivoto:web' } }),
      onIssuerInvalid: () => undefined,
      onIssued: () => undefined,
    });
    const client = clientFor(svc, key, pki.anchorPem);
    const cert = await client.certify();
    const chain = parseCertificateBundle(cert.certChainPem);
    assert.equal(chain.length, 2);
    assert.deepEqual(dnsNames(chain[0]!), [WEB]);
    assert.ok(chain[1]!.raw.equals(Buffer.from(pki.issuer.rawData)));
    assert.equal(cert.leafPem, chain[0]!.toString());
    assert.ok(Math.abs(cert.notAfter.getTime() - (Date.now() + 24 * HOUR)) < 60_000);
    assert.equal(client.current, cert);
    // Throws if the key does not belong to the leaf.
    createSecureContext({ cert: cert.certChainPem, key: cert.keyPem });
  });

  test('refuses a leaf for another identity', async () => {
    const leaf = await leafFor(pki, { key, san: [{ type: 'dns', value: `other.emojivoto.serviceaccount.${SUFFIX}` }] });
    const client = clientFor(answering(leaf, [issuerDer()]), key, pki.anchorPem);
    await assert.rejects(client.certify(), /^Error: certificate does not match TLS identity$/);
    assert.equal(client.current, undefined);
  });

  test('refuses a leaf that smuggles the identity inside another name', async () => {
    const leaf = await leafFor(pki, { key, san: [{ type: 'url', value: `spiffe://x, DNS:${WEB}, y` }] });
    assert.deepEqual(dnsNames(new X509Certificate(leaf)), []);
    const client = clientFor(answering(leaf, [issuerDer()]), key, pki.anchorPem);
    await assert.rejects(client.certify(), /certificate does not match TLS identity/);
  });

  test('refuses a leaf that certifies another key', async () => {
    const leaf = await leafFor(pki, { key: await generateKeyAndCsr(WEB) });
    const client = clientFor(answering(leaf, [issuerDer()]), key, pki.anchorPem);
    await assert.rejects(client.certify(), /certificate does not certify the proxy's private key/);
  });

  test('refuses a chain that does not reach the trust anchors', async () => {
    const leaf = await leafFor(pki, { key });
    const foreign = await createTestPki();
    await assert.rejects(
      clientFor(answering(leaf, [issuerDer()]), key, foreign.anchorPem).certify(),
      /x509: certificate signed by unknown authority/,
    );
    await assert.rejects(
      clientFor(answering(leaf, []), key, pki.anchorPem).certify(),
      /x509: certificate signed by unknown authority/,
    );
    // Without anchors to check against, the same leaf is accepted.
    assert.equal((await clientFor(answering(leaf, []), key).certify()).identity, WEB);
  });

  test('refuses a chain through an issuer that is not a CA', async () => {
    const notCa = await createTestPki({ issuerIsCa: false });
    const leaf = await leafFor(notCa, { key });
    await assert.rejects(
      clientFor(answering(leaf, [new Uint8Array(notCa.issuer.rawData)]), key, notCa.anchorPem).certify(),
      /unknown authority/,
    );
  });

  test('refuses an expired leaf and an expired valid_until', async () => {
    const leaf = await leafFor(pki, { key, notAfter: new Date(Date.now() - 60_000) });
    await assert.rejects(
      clientFor(answering(leaf, [issuerDer()]), key, pki.anchorPem).certify(),
      /x509: certificate has expired or is not yet valid: current time .* is after /,
    );
    await assert.rejects(
      clientFor(answering(leaf, [issuerDer()]), key).certify(),
      /certificate has expired or is not yet valid/,
    );
    const good = await leafFor(pki, { key });
    await assert.rejects(
      clientFor(answering(good, [issuerDer()], new Date(Date.now() - 1000)), key).certify(),
      /Certify returned an expired certificate/,
    );
  });

  test('refuses bytes that are not a certificate', async () => {
    const client = clientFor(answering(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00), []), key);
    await assert.rejects(client.certify(), /Certify returned an unparsable leaf certificate/);
  });
});

describe('certificate checks', () => {
  test('parseSubjectAltNames reads plain and JSON-quoted entries as Node writes them', () => {
    assert.deepEqual(parseSubjectAltNames(undefined), []);
    assert.deepEqual(parseSubjectAltNames('DNS:a.b, IP Address:10.0.0.1, URI:"spiffe://x, DNS:c"'), [
      { type: 'DNS', value: 'a.b' },
      { type: 'IP Address', value: '10.0.0.1' },
      { type: 'URI', value: 'spiffe://x, DNS:c' },
    ]);
    assert.deepEqual(parseSubjectAltNames('DNS:"q\\"uote"'), [{ type: 'DNS', value: 'q"uote' }]);
    // Only ", " separates entries: an unquoted comma stays inside the value.
    assert.deepEqual(parseSubjectAltNames('DNS:a,DNS:b'), [{ type: 'DNS', value: 'a,DNS:b' }]);
    for (const bad of ['DNS', 'URI:"open', 'DNS:"a"x', 'DNS:a, ']) {
      assert.throws(() => parseSubjectAltNames(bad), /malformed subjectAltName/, bad);
    }
  });

  test('verifyChain accepts an anchor itself and a two-level chain, and checks the anchor’s window', async () => {
    const pki = await createTestPki();
    const anchor = new X509Certificate(Buffer.from(pki.anchor.rawData));
    const issuer = new X509Certificate(Buffer.from(pki.issuer.rawData));
    const now = new Date();
    verifyChain(anchor, [], [anchor], now);
    verifyChain(issuer, [], [anchor], now);
    assert.throws(() => verifyChain(issuer, [], [], now), /unknown authority/);
    const late = new Date(Date.now() + 31 * 24 * HOUR);
    assert.throws(() => verifyChain(issuer, [], [anchor], late), /is after/);
  });

  test('checkWorkloadCertificate returns the leaf’s NotAfter', async () => {
    const pki = await createTestPki();
    const key = await generateKeyAndCsr(WEB);
    const leafDer = await leafFor(pki, { key });
    const publicKey = createPublicKey(createPrivateKey(key.keyPem));
    const notAfter = checkWorkloadCertificate({
      leafDer,
      intermediatesDer: [new Uint8Array(pki.issuer.rawData)],
      identity: WEB,
      publicKey,
      anchors: parseCertificateBundle(pki.anchorPem),
      now: new Date(),
    });
    assert.equal(notAfter.toISOString(), new Date(new X509Certificate(leafDer).validTo).toISOString());
  });

  test('parseCertificateBundle skips other blocks and names a broken certificate', () => {
    const keyBlock = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    assert.deepEqual(parseCertificateBundle(keyBlock), []);
    assert.throws(
      () => parseCertificateBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      /certificate 1 of the bundle does not parse/,
    );
  });
});
