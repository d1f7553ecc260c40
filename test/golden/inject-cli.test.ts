/**
 * `l5d inject` through the real CLI (needs `npm run build`): Linkerd-style `--flag=true|false`, and
 * reading manifests from https URLs served by a local server trusted through NODE_EXTRA_CA_CERTS.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { KeyObject } from 'node:crypto';
import { subtle, x509, type CryptoKeyPair } from '../../src/manifests/certs/x509.js';
import { fetchUrl } from '../../src/manifests/inject/input.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'inject');
const ANCHORS = join(process.cwd(), 'test', 'fixtures', 'certs', 'trust-anchors.pem');
const DEPLOYMENT = join(FIXTURES, 'deployment.input.yml');
const dir = mkdtempSync(join(tmpdir(), 'l5d-inject-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

function l5d(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run.js', ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

const offline = ['--ignore-cluster', '--identity-trust-anchors-file', ANCHORS];

interface PodSpecShape {
  containers: { name: string }[];
  initContainers?: { name: string; restartPolicy?: string }[];
}

function podSpecOf(stdout: string): PodSpecShape {
  return (parse(stdout) as { spec: { template: { spec: PodSpecShape } } }).spec.template.spec;
}

test('--native-sidecar=false puts the proxy among the containers, like --no-native-sidecar', async () => {
  const [assigned, negated, native] = await Promise.all([
    l5d(['inject', '--manual', '--native-sidecar=false', ...offline, DEPLOYMENT]),
    l5d(['inject', '--manual', '--no-native-sidecar', ...offline, DEPLOYMENT]),
    l5d(['inject', '--manual', ...offline, DEPLOYMENT]),
  ]);
  assert.equal(assigned.code, 0, assigned.stderr);
  assert.equal(assigned.stdout, negated.stdout);
  assert.ok(podSpecOf(assigned.stdout).containers.some((c) => c.name === 'linkerd-proxy'));
  const nativeInit = podSpecOf(native.stdout).initContainers?.find((c) => c.name === 'linkerd-proxy');
  assert.equal(nativeInit?.restartPolicy, 'Always', 'the chart default is a native sidecar');
  assert.notEqual(assigned.stdout, native.stdout);
});

test('--manual=true is --manual, --manual=false is the default', async () => {
  const [assignedTrue, bare, assignedFalse, auto] = await Promise.all([
    l5d(['inject', '--manual=true', ...offline, DEPLOYMENT]),
    l5d(['inject', '--manual', ...offline, DEPLOYMENT]),
    l5d(['inject', '--manual=false', ...offline, DEPLOYMENT]),
    l5d(['inject', ...offline, DEPLOYMENT]),
  ]);
  assert.equal(assignedTrue.code, 0, assignedTrue.stderr);
  assert.equal(assignedTrue.stdout, bare.stdout);
  assert.match(bare.stdout, /name: linkerd-proxy/);
  assert.equal(assignedFalse.stdout, auto.stdout);
  assert.match(auto.stdout, /linkerd.io\/inject: enabled/);
  assert.doesNotMatch(auto.stdout, /name: linkerd-proxy/);
});

/** A self-signed certificate for 127.0.0.1, written where NODE_EXTRA_CA_CERTS can point at it. */
async function serverCert(): Promise<{ cert: string; key: string; caFile: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=127.0.0.1',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const pem = `${cert.toString('pem')}\n`;
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pem);
  const key = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
  return { cert: pem, key, caFile };
}

const manifest = readFileSync(DEPLOYMENT, 'utf8');
const tls = await serverCert();
const server = createHttpsServer({ cert: tls.cert, key: tls.key }, (req, res) => {
  const hop = /^\/hop\/(\d+)$/.exec(req.url ?? '');
  if (req.url === '/deployment.yml' || req.url === '/hop/0')
    res.writeHead(200, { 'content-type': 'application/yaml' }).end(manifest);
  else if (req.url === '/moved') res.writeHead(301, { location: '/deployment.yml' }).end();
  else if (hop) res.writeHead(302, { location: `/hop/${Number(hop[1]) - 1}` }).end();
  else if (req.url === '/downgrade') res.writeHead(302, { location: 'http://127.0.0.1/deployment.yml' }).end();
  else res.writeHead(404).end('not here');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
const trusted = { NODE_EXTRA_CA_CERTS: tls.caFile };
after(() => server.close());

test('inject reads a manifest from an https URL', async () => {
  const [fromUrl, fromFile] = await Promise.all([
    l5d(['inject', ...offline, `${base}/deployment.yml`], trusted),
    l5d(['inject', ...offline, DEPLOYMENT]),
  ]);
  assert.equal(fromUrl.code, 0, fromUrl.stderr);
  assert.equal(fromUrl.stdout, fromFile.stdout);
  assert.match(fromUrl.stderr, /deployment "web" injected/);
});

test('redirects are followed, up to 10 of them', async () => {
  const [moved, tenHops, elevenHops, downgrade] = await Promise.all([
    l5d(['inject', ...offline, `${base}/moved`], trusted),
    l5d(['inject', ...offline, `${base}/hop/10`], trusted),
    l5d(['inject', ...offline, `${base}/hop/11`], trusted),
    l5d(['inject', ...offline, `${base}/downgrade`], trusted),
  ]);
  assert.equal(moved.code, 0, moved.stderr);
  assert.match(moved.stdout, /linkerd.io\/inject: enabled/);
  assert.equal(tenHops.code, 0, tenHops.stderr);
  assert.equal(tenHops.stdout, moved.stdout);
  assert.equal(elevenHops.code, 1);
  assert.equal(elevenHops.stdout, '');
  assert.match(
    elevenHops.stderr,
    new RegExp(`^Error: unable to read URL "${base}/hop/11": stopped after 10 redirects`),
  );
  assert.equal(downgrade.code, 1);
  assert.match(downgrade.stderr, /refusing to follow a redirect to non-HTTPS URL "http:\/\/127.0.0.1\/deployment.yml"/);
});

test('a URL that is not there fails naming it, with nothing on stdout', async () => {
  const out = await l5d(['inject', ...offline, `${base}/missing.yml`], trusted);
  assert.equal(out.code, 1);
  assert.equal(out.stdout, '');
  assert.match(
    out.stderr,
    new RegExp(`^Error: unable to read URL "${base}/missing.yml", server reported 404 Not Found, status code=404\\n`),
  );
});

test('plain http URLs are refused, as Linkerd does', async () => {
  const out = await l5d(['inject', ...offline, 'http://127.0.0.1:1/deployment.yml']);
  assert.equal(out.code, 1);
  assert.equal(out.stdout, '');
  assert.match(out.stderr, /^Error: only HTTPS URLs are allowed\n/);
});

test('a server that never answers times out, naming the URL', async () => {
  const sockets: Socket[] = [];
  const silent: Server = createTcpServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/slow.yml`;
  const started = Date.now();
  try {
    await assert.rejects(fetchUrl(url, 300), {
      message: `unable to read URL "${url}": no response within 0.3s`,
    });
    assert.ok(Date.now() - started < 5000);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});
