import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { generateKeyAndCsr } from '../../src/runtime/clients/identity-key.js';
import { checkCsrNames, csrNames, parseCsr } from '../../src/runtime/identity/csr.js';
import { identityKeyMaterial } from '../../src/runtime/proxy/identity/key-material.js';

const ID = 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local';
const dirs: string[] = [];
const fresh = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'l5d-key-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const spkiOf = (der: Uint8Array): string =>
  createPublicKey(createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }))
    .export({ type: 'spki', format: 'der' })
    .toString('hex');

describe('proxy identity key material', () => {
  test('an empty identity directory gets a P-256 key (0600) and a CSR naming the identity', async () => {
    const dir = fresh();
    const { material, origin, persistError } = await identityKeyMaterial(dir, ID);
    assert.equal(origin, 'generated');
    assert.equal(persistError, undefined);
    assert.equal(statSync(join(dir, 'key.p8')).mode & 0o777, 0o600);
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'key.p8'))), material.keyPkcs8);
    const key = createPrivateKey({ key: Buffer.from(material.keyPkcs8), format: 'der', type: 'pkcs8' });
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const csr = await parseCsr(new Uint8Array(readFileSync(join(dir, 'csr.der'))));
    assert.doesNotThrow(() => checkCsrNames(csrNames(csr), ID));
    assert.match(material.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  test('a key already in the directory is kept, so a restarted proxy keeps its identity key', async () => {
    const dir = fresh();
    const first = await identityKeyMaterial(dir, ID);
    const second = await identityKeyMaterial(dir, ID);
    assert.equal(second.origin, 'loaded');
    assert.equal(spkiOf(second.material.keyPkcs8), spkiOf(first.material.keyPkcs8));
    assert.deepEqual(second.material.csrDer, first.material.csrDer);
  });

  test('a key without its CSR gets a CSR built from that key', async () => {
    const dir = fresh();
    const given = await generateKeyAndCsr(ID);
    writeFileSync(join(dir, 'key.p8'), given.keyPkcs8);
    const { material, origin } = await identityKeyMaterial(dir, ID);
    assert.equal(origin, 'loaded');
    const csr2 = await parseCsr(material.csrDer);
    assert.doesNotThrow(() => checkCsrNames(csrNames(csr2), ID));
  });

  test('an empty key file is an error that names it', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'key.p8'), '');
    await assert.rejects(identityKeyMaterial(dir, ID), new RegExp(`${join(dir, 'key.p8')} is empty`));
  });

  test('an unwritable directory still yields a key, kept in memory', async () => {
    // A path below a regular file cannot be written, even by root.
    const file = join(fresh(), 'not-a-dir');
    writeFileSync(file, '');
    const { origin, persistError } = await identityKeyMaterial(join(file, 'identity'), ID);
    assert.equal(origin, 'generated');
    assert.match(persistError ?? '', /ENOTDIR/);
  });
});
