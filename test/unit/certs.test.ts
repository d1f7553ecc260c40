import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { x509 } from '../../src/manifests/certs/x509.js';
import { generateIdentityCa, identityCommonName } from '../../src/manifests/certs/identity-ca.js';
import { generateWebhookCert } from '../../src/manifests/certs/webhook-cert.js';
import { firstCertificatePem, parsePrivateKeyPem } from '../../src/manifests/certs/parse.js';
import {
  requireCompleteCredentials,
  validateIssuerCredentials,
  type IssuerCredentials,
} from '../../src/manifests/certs/validate.js';
import { makeCert, type TestCert } from '../fixtures/certs/factory.js';

const NOW = new Date('2026-03-04T05:06:07.890Z');

function openssl(pem: string): string {
  const res = spawnSync('openssl', ['x509', '-text', '-noout'], { input: pem, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  return res.stdout;
}

test('identity CN falls back to the cluster domain when the trust domain is empty', () => {
  assert.equal(identityCommonName('linkerd', '', 'cluster.local'), 'identity.linkerd.cluster.local');
  assert.equal(identityCommonName('l5d', 'example.org', 'cluster.local'), 'identity.l5d.example.org');
});

test('generated identity CA matches the spec (peculiar/x509 view)', async () => {
  const ca = await generateIdentityCa('identity.linkerd.cluster.local', NOW);
  const cert = new x509.X509Certificate(ca.certPEM);
  assert.equal(cert.subject, 'CN=identity.linkerd.cluster.local');
  assert.equal(cert.issuer, cert.subject);
  assert.equal(cert.serialNumber, '01');
  assert.equal(cert.notBefore.toISOString(), '2026-03-04T05:05:57.000Z');
  assert.equal(cert.notAfter.toISOString(), '2027-03-04T05:06:17.000Z');
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  assert.ok(bc?.ca && bc.critical);
  assert.equal(bc.pathLength, undefined);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  assert.ok(ku?.critical);
  assert.equal(ku.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  assert.deepEqual([...(eku?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
  assert.ok(cert.getExtension(x509.SubjectKeyIdentifierExtension));
  assert.equal(cert.getExtension(x509.SubjectAlternativeNameExtension), null);
  assert.equal(cert.getExtension(x509.AuthorityKeyIdentifierExtension), null);
  assert.ok(await cert.verify({ signatureOnly: true }));
  assert.match(ca.keyPEM, /^-----BEGIN EC PRIVATE KEY-----\n/);
  assert.ok(new X509Certificate(ca.certPEM).checkPrivateKey(parsePrivateKeyPem(ca.keyPEM).key));
});

test('generated identity CA as openssl sees it', async () => {
  const ca = await generateIdentityCa('identity.l5d.example.org', NOW);
  const text = openssl(ca.certPEM);
  assert.match(text, /ASN1 OID: prime256v1/);
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
  assert.match(text, /Subject: CN\s?=\s?identity\.l5d\.example\.org/);
  assert.match(text, /Basic Constraints: critical\n\s+CA:TRUE\n/);
  assert.match(text, /Not Before: Mar {2}4 05:05:57 2026 GMT/);
  assert.match(text, /Not After : Mar {2}4 05:06:17 2027 GMT/);
  assert.match(text, /Serial Number: 1 \(0x1\)/);
});

test('webhook serving certificate follows genSelfSignedCert', async () => {
  const { certPEM, keyPEM } = await generateWebhookCert('sp-validator', 'linkerd', NOW);
  assert.match(keyPEM, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  const cert = new x509.X509Certificate(certPEM);
  assert.equal(cert.subject, 'CN=linkerd-sp-validator.linkerd.svc');
  assert.equal(cert.serialNumber.length, 32);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  assert.deepEqual(san?.names.toJSON(), [{ type: 'dns', value: 'linkerd-sp-validator.linkerd.svc' }]);
  assert.equal(cert.getExtension(x509.BasicConstraintsExtension)?.ca, false);
  assert.equal(
    cert.getExtension(x509.KeyUsagesExtension)?.usages,
    x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
  );
  const text = openssl(certPEM);
  assert.match(text, /Public-Key: \(2048 bit\)/);
  assert.match(text, /sha256WithRSAEncryption/);
  assert.equal(cert.notAfter.getTime() - cert.notBefore.getTime(), 365 * 24 * 3600_000);
});

test('key parsing messages and re-encoding', async () => {
  assert.throws(() => parsePrivateKeyPem('garbage'), { message: 'not PEM-encoded' });
  assert.throws(() => parsePrivateKeyPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), {
    message: "unsupported block type: 'CERTIFICATE'",
  });
  const ec = await makeCert({ cn: 'x' });
  const { KeyObject } = await import('node:crypto');
  const pkcs8 = KeyObject.from(ec.keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.equal(parsePrivateKeyPem(pkcs8).pem, ec.keyPEM);
});

test('certificate file parsing keeps only the first certificate', async () => {
  const a = await makeCert({ cn: 'a' });
  const b = await makeCert({ cn: 'b' });
  assert.equal(firstCertificatePem(a.certPEM + b.certPEM), a.certPEM);
  assert.throws(() => firstCertificatePem('no pem here'), { message: 'not a PEM certificate' });
  assert.throws(() => firstCertificatePem(a.keyPEM), { message: 'No certificates found' });
});

test('all-or-nothing credentials', () => {
  assert.throws(() => requireCompleteCredentials({ issuerCrtPEM: 'x' }), {
    message: 'a trust anchors file must be specified if other credentials are provided',
  });
  assert.throws(() => requireCompleteCredentials({ trustAnchorsPEM: 'x', issuerKeyPEM: 'y' }), {
    message: 'a certificate file must be specified if other credentials are provided',
  });
  assert.throws(() => requireCompleteCredentials({ trustAnchorsPEM: 'x', issuerCrtPEM: 'y' }), {
    message: 'a private key file must be specified if other credentials are provided',
  });
});

function creds(anchor: TestCert, issuer: TestCert, key = issuer.keyPEM): IssuerCredentials {
  return { trustAnchorsPEM: anchor.certPEM, issuerCrtPEM: issuer.certPEM, issuerKeyPEM: key };
}

function rejects(c: IssuerCredentials, reason: string, now = new Date()): void {
  assert.throws(() => validateIssuerCredentials(c, now), {
    message: `failed to validate issuer credentials: ${reason}`,
  });
}

test('validation messages of supplied issuer credentials, in order', async () => {
  const root = await makeCert({ cn: 'root' });
  const good = await makeCert({ cn: 'issuer', signer: root });
  validateIssuerCredentials(creds(root, good), new Date());

  // RSA trust anchors are accepted.
  const rsaRoot = await makeCert({ cn: 'rsa-root', key: 'RSA' });
  validateIssuerCredentials(creds(rsaRoot, await makeCert({ cn: 'i', signer: rsaRoot })), new Date());

  const other = await makeCert({ cn: 'other' });
  rejects(creds(root, good, other.keyPEM), 'failed to read CA: tls: Public and private key do not match');

  const notBefore = new Date('2090-01-02T03:04:05Z');
  const future = await makeCert({ cn: 'f', signer: root, notBefore, notAfter: new Date('2091-01-01T00:00:00Z') });
  rejects(creds(root, future), 'not valid before: 2090-01-02T03:04:05Z');

  const expired = await makeCert({
    cn: 'e',
    signer: root,
    notBefore: new Date('2000-01-01T00:00:00Z'),
    notAfter: new Date('2001-02-03T04:05:06Z'),
  });
  rejects(creds(root, expired), 'not valid anymore. Expired on 2001-02-03T04:05:06Z');

  rejects(
    creds(root, await makeCert({ cn: 'r', key: 'RSA', signer: root })),
    'issuer certificate must use ECDSA for public key algorithm, instead RSA was used',
  );
  rejects(
    creds(root, await makeCert({ cn: 'p', key: 'P-384', signer: root })),
    'must use P-256 curve for public key, instead P-384 was used',
  );
  rejects(
    creds(root, await makeCert({ cn: 's', signer: root, hash: 'SHA-384' })),
    'must be signed by an ECDSA P-256 key, instead ECDSA-SHA384 was used',
  );
  rejects(creds(root, await makeCert({ cn: 'n', ca: false, signer: root })), 'issuer cert is not a CA');
  rejects({ ...creds(root, good), trustAnchorsPEM: 'nothing' }, 'no certificates found');
  rejects(creds(other, good), 'x509: certificate signed by unknown authority');
  rejects({ ...creds(root, good), issuerKeyPEM: 'garbled' }, 'failed to read CA: not PEM-encoded');
  rejects(
    { ...creds(root, good), issuerKeyPEM: good.certPEM },
    "failed to read CA: unsupported block type: 'CERTIFICATE'",
  );
});

test('the checks run in the spec order: key mismatch before expiry, expiry before algorithm', async () => {
  const root = await makeCert({ cn: 'root' });
  const expiredRsa = await makeCert({
    cn: 'x',
    key: 'RSA',
    signer: root,
    notBefore: new Date('2000-01-01T00:00:00Z'),
    notAfter: new Date('2001-01-01T00:00:00Z'),
  });
  rejects(creds(root, expiredRsa), 'not valid anymore. Expired on 2001-01-01T00:00:00Z');
  rejects(creds(root, expiredRsa, root.keyPEM), 'failed to read CA: tls: Public and private key do not match');
});
