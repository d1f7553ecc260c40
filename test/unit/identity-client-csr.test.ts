import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { certificationRequest, generateKeyAndCsr } from '../../src/runtime/clients/identity-key.js';
import { checkCsrNames, csrNames, parseCsr } from '../../src/runtime/identity/csr.js';
import { sanExtension, x509 } from '../../src/runtime/identity/x509.js';

const WEB = 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local';

/**
 * `openssl req -verify -noout -text` on a DER CSR: whether it verified, and its report. OpenSSL 3.0
 * exits 0 even when the signature fails, so the verdict line decides.
 */
function opensslReq(der: Uint8Array): { ok: boolean; text: string } {
  const r = spawnSync('openssl', ['req', '-inform', 'DER', '-verify', '-noout', '-text'], { input: der });
  const text = `${r.stdout.toString()}${r.stderr.toString()}`;
  return { ok: r.status === 0 && /self-signature verify OK/.test(text), text };
}

/** The same CSR with one bit of the signed CertificationRequestInfo flipped (in the CN). */
function tampered(der: Uint8Array, identity: string): Uint8Array {
  const copy = Buffer.from(der);
  const at = copy.indexOf(Buffer.from(identity));
  assert.ok(at > 0);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

describe('generateKeyAndCsr', () => {
  test('openssl verifies the self-signature and reads CN, SAN and algorithms', async () => {
    const { csrDer } = await generateKeyAndCsr(WEB);
    const r = opensslReq(csrDer);
    assert.ok(r.ok, r.text);
    assert.match(r.text, /self-signature verify OK/);
    assert.match(r.text, new RegExp(`Subject: CN = ${WEB.replaceAll('.', '\\.')}\\n`));
    assert.match(r.text, new RegExp(`X509v3 Subject Alternative Name: *\\n *DNS:${WEB.replaceAll('.', '\\.')}\\n`));
    assert.match(r.text, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(r.text, /NIST CURVE: P-256/);
    assert.match(r.text, /Version: 1 \(0x0\)/);
  });

  test('openssl refuses a CSR whose signed part was altered', async () => {
    const { csrDer } = await generateKeyAndCsr(WEB);
    const r = opensslReq(tampered(csrDer, WEB));
    assert.equal(r.ok, false);
    assert.match(r.text, /self-signature verify failure/);
  });

  test("the identity controller's CSR checks accept it", async () => {
    const { csrDer } = await generateKeyAndCsr(WEB);
    const names = csrNames(await parseCsr(csrDer));
    assert.deepEqual(names, { dns: [WEB], email: [], ip: [], uri: [], commonName: WEB });
    checkCsrNames(names, WEB);
    await assert.rejects(parseCsr(tampered(csrDer, WEB)), /CSR signature verification failure/);
  });

  test('@peculiar/x509 parses it with the SAN, a valid signature and our public key', async () => {
    const { csrDer, keyPkcs8, keyPem } = await generateKeyAndCsr(WEB);
    const csr = new x509.Pkcs10CertificateRequest(Buffer.from(csrDer));
    assert.equal(await csr.verify(), true);
    assert.equal(csr.subject, `CN=${WEB}`);
    assert.deepEqual(
      sanExtension(csr)?.names.items.map((n) => [n.type, n.value]),
      [['dns', WEB]],
    );
    const alg = csr.signatureAlgorithm as unknown as { name: string; hash: { name: string } };
    assert.deepEqual([alg.name, alg.hash.name], ['ECDSA', 'SHA-256']);
    const ours = createPublicKey(createPrivateKey({ key: Buffer.from(keyPkcs8), format: 'der', type: 'pkcs8' }));
    assert.deepEqual(Buffer.from(csr.publicKey.rawData), ours.export({ type: 'spki', format: 'der' }));
    // The PEM is the same PKCS#8 key the proxy's TLS loads.
    assert.deepEqual(createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' }), Buffer.from(keyPkcs8));
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PRIVATE KEY-----\n$/);
  });

  test('every call makes a new key', async () => {
    const [a, b] = await Promise.all([generateKeyAndCsr(WEB), generateKeyAndCsr(WEB)]);
    assert.notDeepEqual(a.keyPkcs8, b.keyPkcs8);
  });
});

describe('certificationRequest', () => {
  test('a name outside PrintableString is written as a UTF8String that all parsers read back', async () => {
    const name = 'web_1.ns.serviceaccount.identity.linkerd.cluster.local';
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = certificationRequest(name, privateKey);
    const r = opensslReq(der);
    assert.ok(r.ok, r.text);
    assert.match(r.text, new RegExp(`DNS:${name.replaceAll('.', '\\.')}`));
    const asn1 = spawnSync('openssl', ['asn1parse', '-inform', 'DER'], { input: der }).stdout.toString();
    assert.match(asn1, new RegExp(`UTF8STRING +:${name.replaceAll('.', '\\.')}`));
    assert.deepEqual(csrNames(await parseCsr(der)).commonName, name);
  });

  test('long names take long-form lengths and still verify', async () => {
    const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.serviceaccount.identity.linkerd.cluster.local`;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = certificationRequest(name, privateKey);
    assert.ok(opensslReq(der).ok);
    checkCsrNames(csrNames(await parseCsr(der)), name);
  });

  test('refuses a key that cannot sign ecdsa-with-SHA256', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    assert.throws(() => certificationRequest(WEB, privateKey), /signed with an EC key, not ed25519/);
  });
});
