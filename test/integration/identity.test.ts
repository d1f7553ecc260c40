// The identity controller as a child process against the real kube-apiserver test bed: Certify
// with TokenRequest tokens, every refusal class, issued leaves checked by openssl and Node's TLS,
// and issuer rotation through the Secret-mount `..data` swap.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createSign } from 'node:crypto';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { Identity } from '../../src/proto/gen/identity_pb.js';
import { GrpcChannel } from '../../src/runtime/clients/grpc-channel.js';
import { connectTransport } from '../support/connect-transport.js';
import { IdentityClient, generateKeyAndCsr } from '../../src/runtime/clients/identity-client.js';
import { encodePem } from '../../src/util/pem.js';
import { eventually, freePort, startController, waitReady, type RunningController } from '../support/controllers.js';
import { createTestPki, customCsr, type TestPki } from '../support/identity-pki.js';
import { kubectl, run, startTestbed, type Testbed } from '../support/testbed.js';

const NS = 'emojivoto';
const SUFFIX = 'identity.linkerd.cluster.local';
const id = (sa: string) => `${sa}.${NS}.serviceaccount.${SUFFIX}`;

describe('identity controller', () => {
  let tb: Testbed;
  let ctrl: RunningController;
  let pki: TestPki;
  let dir: string;
  let grpcPort: number;
  const tokens: Record<string, string> = {};
  let client: ReturnType<typeof createClient<typeof Identity>>;

  const admin = (args: string[], stdin?: string) =>
    kubectl(args, stdin === undefined ? { kubeconfig: tb.adminKubeconfig } : { kubeconfig: tb.adminKubeconfig, stdin });

  /** Writes issuer files the way kubelet mounts a Secret: versioned dir + `..data` symlink swap. */
  function mountIssuer(p: TestPki, version: string): void {
    const issuerDir = join(dir, 'issuer');
    mkdirSync(join(issuerDir, version), { recursive: true });
    writeFileSync(join(issuerDir, version, 'crt.pem'), p.issuerCertPem);
    writeFileSync(join(issuerDir, version, 'key.pem'), p.issuerKeyPem);
    symlinkSync(version, join(issuerDir, '..data_tmp'));
    renameSync(join(issuerDir, '..data_tmp'), join(issuerDir, '..data'));
    for (const f of ['crt.pem', 'key.pem']) {
      try {
        symlinkSync(join('..data', f), join(issuerDir, f));
      } catch {
        // already linked through ..data
      }
    }
  }

  before(async () => {
    tb = await startTestbed();
    dir = mkdtempSync(join(tmpdir(), 'l5d-identity-it-'));
    pki = await createTestPki();
    writeFileSync(join(dir, 'ca-bundle.crt'), pki.anchorPem);
    mountIssuer(pki, '..v1');
    await admin(['create', 'namespace', NS]);
    await admin(['create', 'namespace', 'linkerd']);
    for (const sa of ['web', 'voting']) await admin(['create', 'serviceaccount', sa, '-n', NS]);
    for (const sa of ['web', 'voting']) {
      tokens[sa] = (await admin(['create', 'token', sa, '-n', NS, '--audience', 'identity.l5d.io'])).stdout.trim();
    }
    tokens.wrongAudience = (
      await admin(['create', 'token', 'web', '-n', NS, '--audience', 'someone-else'])
    ).stdout.trim();
    grpcPort = await freePort();
    const adminPort = await freePort();
    ctrl = startController('identity', [
      '-log-level=debug',
      '-log-format=json',
      `-kubeconfig=${tb.adminKubeconfig}`,
      '-controller-namespace=linkerd',
      '-identity-scheme=linkerd.io/tls',
      '-identity-trust-domain=cluster.local',
      '-identity-issuance-lifetime=24h0m0s',
      '-identity-clock-skew-allowance=20s',
      `-issuer=${join(dir, 'issuer')}`,
      `-trust-anchors=${join(dir, 'ca-bundle.crt')}`,
      `-addr=127.0.0.1:${grpcPort}`,
      `-admin-addr=127.0.0.1:${adminPort}`,
    ]);
    await waitReady(ctrl, adminPort);
    client = createClient(Identity, connectTransport(`127.0.0.1:${grpcPort}`));
  });

  after(async () => {
    await ctrl?.stop();
    await tb?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function refusal(p: Promise<unknown>): Promise<{ code: Code; message: string }> {
    try {
      await p;
    } catch (err) {
      const e = ConnectError.from(err);
      return { code: e.code, message: e.rawMessage };
    }
    assert.fail('expected Certify to be refused');
  }

  test('issues a leaf that openssl and Node TLS accept', async () => {
    const key = await generateKeyAndCsr(id('web'));
    const res = await client.certify({
      identity: id('web'),
      token: Buffer.from(tokens.web ?? ''),
      certificateSigningRequest: key.csrDer,
    });
    const leafPem = encodePem('CERTIFICATE', res.leafCertificate);
    const chainPem = res.intermediateCertificates.map((d) => encodePem('CERTIFICATE', d)).join('');
    writeFileSync(join(dir, 'leaf.pem'), leafPem);
    writeFileSync(join(dir, 'chain.pem'), chainPem);
    const verify = await run('openssl', [
      'verify',
      '-CAfile',
      join(dir, 'ca-bundle.crt'),
      '-untrusted',
      join(dir, 'chain.pem'),
      '-purpose',
      'sslserver',
      join(dir, 'leaf.pem'),
    ]);
    assert.match(verify.stdout, /leaf\.pem: OK/);

    // mTLS handshake: the web leaf as server, a voting leaf as client, both checked against the anchor.
    const votingKey = await generateKeyAndCsr(id('voting'));
    const voting = await client.certify({
      identity: id('voting'),
      token: Buffer.from(tokens.voting ?? ''),
      certificateSigningRequest: votingKey.csrDer,
    });
    const server = tls.createServer({
      key: key.keyPem,
      cert: leafPem + chainPem,
      ca: pki.anchorPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
    });
    server.on('secureConnection', (s) => {
      s.end(String(s.getPeerX509Certificate()?.subjectAltName ?? ''));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const socket = tls.connect({
      port,
      host: '127.0.0.1',
      servername: id('web'),
      ca: pki.anchorPem,
      key: votingKey.keyPem,
      cert: encodePem('CERTIFICATE', voting.leafCertificate) + chainPem,
      checkServerIdentity: (host, cert) => tls.checkServerIdentity(host, cert),
    });
    let body = '';
    socket.on('data', (b: Buffer) => (body += b.toString()));
    await once(socket, 'end');
    server.close();
    assert.equal(socket.authorized, true, String(socket.authorizationError));
    assert.equal(body, `DNS:${id('voting')}`);

    const events = await eventually(
      async () => {
        const out = await admin(['get', 'events', '-n', NS, '-o', 'json']);
        const items = (
          JSON.parse(out.stdout) as { items: { reason: string; message: string; involvedObject: { name: string } }[] }
        ).items;
        const issued = items.filter((e) => e.reason === 'IssuedLeafCertificate');
        return issued.length >= 2 ? issued : undefined;
      },
      10_000,
      'IssuedLeafCertificate events',
    );
    assert.ok(
      events.some(
        (e) => e.involvedObject.name === 'web' && e.message.startsWith(`issued certificate for ${id('web')} until `),
      ),
    );
  });

  test('refuses a token of another ServiceAccount', async () => {
    const key = await generateKeyAndCsr(id('web'));
    const r = await refusal(
      client.certify({
        identity: id('web'),
        token: Buffer.from(tokens.voting ?? ''),
        certificateSigningRequest: key.csrDer,
      }),
    );
    assert.deepEqual(r, {
      code: Code.FailedPrecondition,
      message: `requested identity did not match provided token: requested=${id('web')}; found=${id('voting')}`,
    });
  });

  test('refuses a wrong-audience token and a garbage token', async () => {
    const key = await generateKeyAndCsr(id('web'));
    for (const token of [tokens.wrongAudience ?? '', 'garbage.not.a-jwt']) {
      const r = await refusal(
        client.certify({ identity: id('web'), token: Buffer.from(token), certificateSigningRequest: key.csrDer }),
      );
      // The API server answers such reviews with `authenticated: false` and an error text, which
      // Certify passes on as INVALID_ARGUMENT (controllers.md §1.4 step 5).
      assert.equal(r.code, Code.InvalidArgument, r.message);
      assert.ok(r.message.length > 0);
    }
  });

  test('refuses an expired token that the API server itself signed', async () => {
    // TokenRequest will not mint a token shorter than 10 minutes, so re-sign a real token's claims
    // with the test bed's ServiceAccount signing key and an expiry in the past.
    const [header, payload] = (tokens.web ?? '').split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    const expired = Buffer.from(
      JSON.stringify({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
    ).toString('base64url');
    const signer = createSign('RSA-SHA256');
    signer.update(`${header}.${expired}`);
    const signature = signer.sign(readFileSync(join(tb.dir, 'pki', 'sa.key'))).toString('base64url');
    const key = await generateKeyAndCsr(id('web'));
    const r = await refusal(
      client.certify({
        identity: id('web'),
        token: Buffer.from(`${header}.${expired}.${signature}`),
        certificateSigningRequest: key.csrDer,
      }),
    );
    assert.equal(r.code, Code.InvalidArgument, r.message);
    assert.match(r.message, /expired/i);
  });

  test('refuses mismatched and malformed CSRs', async () => {
    const other = await customCsr({ cn: id('voting'), san: [{ type: 'dns', value: id('voting') }] });
    assert.deepEqual(
      await refusal(
        client.certify({ identity: id('web'), token: Buffer.from(tokens.web ?? ''), certificateSigningRequest: other }),
      ),
      {
        code: Code.FailedPrecondition,
        message: `CSR name does not match requested identity: csr=${id('voting')}; req=${id('web')}`,
      },
    );
    const malformed = await refusal(
      client.certify({
        identity: id('web'),
        token: Buffer.from(tokens.web ?? ''),
        certificateSigningRequest: Buffer.from('not der'),
      }),
    );
    assert.equal(malformed.code, Code.InvalidArgument);
    assert.deepEqual(
      await refusal(
        client.certify({
          identity: id('web'),
          token: Buffer.from(tokens.web ?? ''),
          certificateSigningRequest: new Uint8Array(),
        }),
      ),
      { code: Code.InvalidArgument, message: 'missing certificate signing request' },
    );
  });

  test('the identity client certifies from a token file and reports expiry', async () => {
    writeFileSync(join(dir, 'token'), tokens.web ?? '');
    const ic = new IdentityClient({
      channel: new GrpcChannel({ address: `127.0.0.1:${grpcPort}` }),
      identity: id('web'),
      tokenFile: join(dir, 'token'),
      key: await generateKeyAndCsr(id('web')),
      trustAnchorsPem: pki.anchorPem,
    });
    const cert = await ic.start();
    ic.stop();
    assert.ok(cert.notAfter.getTime() > Date.now() + 23 * 3_600_000);
    assert.match(cert.certChainPem, /(-----BEGIN CERTIFICATE-----[\s\S]+?){2}/);
  });

  test('a ..data swap rotates the issuer; an unverifiable one is skipped', async () => {
    const reasons = async (ns: string) =>
      (
        JSON.parse((await admin(['get', 'events', '-n', ns, '-o', 'json'])).stdout) as { items: { reason: string }[] }
      ).items.map((e) => e.reason);
    const certifyIssuer = async () => {
      const key = await generateKeyAndCsr(id('web'));
      const res = await client.certify({
        identity: id('web'),
        token: Buffer.from(tokens.web ?? ''),
        certificateSigningRequest: key.csrDer,
      });
      return Buffer.from(res.intermediateCertificates[0] ?? []);
    };
    // An issuer under an unknown root: skipped, the old issuer keeps signing.
    mountIssuer(await createTestPki(), '..v2');
    await eventually(
      async () => ((await reasons('linkerd')).includes('IssuerUpdateSkipped') ? true : undefined),
      10_000,
      'IssuerUpdateSkipped',
    );
    assert.deepEqual(await certifyIssuer(), Buffer.from(pki.issuer.rawData));
    // A new issuer under the same root: adopted.
    const rotated = await createTestPki({ root: pki });
    mountIssuer(rotated, '..v3');
    await eventually(
      async () => ((await reasons('linkerd')).includes('IssuerUpdated') ? true : undefined),
      10_000,
      'IssuerUpdated',
    );
    assert.deepEqual(await certifyIssuer(), Buffer.from(rotated.issuer.rawData));
  });
});
