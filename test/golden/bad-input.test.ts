import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Runs the built CLI (`npm run build` first) on inputs that are endless, binary or garbage.
interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function l5d(args: string[], stdin: 'ignore' | number = 'ignore', timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', KUBECONFIG: '/nonexistent/kubeconfig' };
    const child = spawn(process.execPath, ['bin/run.js', ...args], { env, stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const CERTS = 'test/fixtures/certs';

test('endless files are refused with an error naming them, for every CLI input path', async () => {
  const cases: [string, string[]][] = [
    ['install anchors', ['install', '--ignore-cluster', '--identity-trust-anchors-file=/dev/zero']],
    [
      'install issuer',
      [
        'install',
        '--ignore-cluster',
        `--identity-trust-anchors-file=${CERTS}/trust-anchors.pem`,
        '--identity-issuer-certificate-file=/dev/zero',
        `--identity-issuer-key-file=${CERTS}/issuer-key.pem`,
      ],
    ],
    ['--set-file', ['install', '--ignore-cluster', '--set-file', 'identityTrustAnchorsPEM=/dev/zero']],
    ['--values', ['install', '--ignore-cluster', '--values', '/dev/zero']],
    ['inject anchors', ['inject', '--manual', '--ignore-cluster', '--identity-trust-anchors-file=/dev/zero', '-']],
    ['inject file', ['inject', '--manual', '--ignore-cluster', '/dev/zero']],
    ['kubeconfig', ['version', '--kubeconfig', '/dev/zero']],
    ['check kubeconfig', ['check', '--pre', '--kubeconfig', '/dev/zero']],
  ];
  for (const [name, args] of cases) {
    const res = await l5d(args, openSync('/dev/null', 'r'));
    assert.notEqual(res.status, null, `${name}: killed after ${res.ms} ms (still reading?)`);
    assert.equal(res.status, 1, `${name}: ${res.stderr}`);

    // check reports on stdout, as upstream's does; everything else on stderr.
    const out = res.stderr + res.stdout;
    assert.match(out, /\/dev\/zero.*larger than|larger than.*\/dev\/zero/, `${name}: ${out}`);
    assert.equal(res.stdout.includes('\0'), false, name);
  }
  const stdin = await l5d(['inject', '--manual', '--ignore-cluster', '-'], openSync('/dev/zero', 'r'));
  assert.equal(stdin.status, 1, stdin.stderr);
  assert.match(stdin.stderr, /stdin: input is larger than 256 MiB/);
});

test('a garbage kubeconfig is named with its problem; its bytes never reach the terminal', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'l5d-badkube-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const files: [string, Buffer | string, RegExp][] = [
    ['random', randomBytes(4096), /invalid UTF-8 at line \d+, column \d+/],
    ['binary', Buffer.from('apiVersion: v1\n\x1b[31mclusters: []\n\x00'), /control character 0x1b/],
    ['yaml', 'clusters: [\n  - {name: a\n', /invalid YAML at line \d+, column \d+/],
    ['typed', 'apiVersion: v1\nclusters: 5\n', /"clusters" must be a list of mappings/],
    ['list', '- a\n- b\n', /not a kubeconfig: the document is not a mapping/],
  ];
  for (const [name, content, problem] of files) {
    const path = join(dir, name);
    writeFileSync(path, content);
    for (const args of [
      ['version', '--kubeconfig', path],
      ['install', '--kubeconfig', path],
    ]) {
      const res = await l5d(args);
      assert.equal(res.status, 1, `${name} ${args[0]}: ${res.stderr}`);
      assert.ok(res.stderr.includes(`error loading config file "${path}"`), `${name}: ${res.stderr}`);
      assert.match(res.stderr, problem, name);
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(res.stderr, /[\u0000-\u0008\u000b-\u001f\u007f\ufffd]/, `${name}: raw bytes echoed`);
    }
  }
});

test('version keeps its 5 s bound against a server that accepts TCP and never answers TLS', async (t) => {
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const silentDir = mkdtempSync(join(tmpdir(), 'l5d-silent-'));
  t.after(() => rmSync(silentDir, { recursive: true, force: true }));
  const kubeconfig = join(silentDir, 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
users: [{name: u, user: {token: t}}]
`,
  );
  try {
    // The CLI's own start-up, measured in the same run, so a busy machine does not fail the bound.
    const startup = (await l5d(['version', '--client'])).ms;
    const res = await l5d(['version', '--kubeconfig', kubeconfig], 'ignore', 30_000);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /Server version: unavailable/);
    // 5 s for the server, 2 s of slack; without the bound undici gives up only after 10 s.
    assert.ok(res.ms < startup + 7_000, `took ${res.ms} ms (start-up ${startup} ms)`);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

const ANCHORS = `--identity-trust-anchors-file=${CERTS}/trust-anchors.pem`;

test('wrongly typed fields name the file, the object and the field, in default and --manual mode', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'l5d-typed-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const deployment = (podSpec: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec: ${podSpec}\n`;
  const cases: [string, string, string][] = [
    [
      'map',
      deployment('{containers: {name: web}}'),
      'deployment/web: field spec.template.spec.containers: expected a list, got a map',
    ],
    [
      'string',
      deployment('{containers: web}'),
      'deployment/web: field spec.template.spec.containers: expected a list, got a string',
    ],
    [
      'null',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [null]}\n',
      'pod/p: field spec.containers[0]: empty list entry',
    ],
    [
      'spec',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: hello\n',
      'deployment/web: field spec: expected a map, got a string',
    ],
    [
      'port',
      deployment('{containers: [{name: a, ports: [{containerPort: "80"}]}]}'),
      'deployment/web: field spec.template.spec.containers[0].ports[0].containerPort: expected an integer, got a string',
    ],
  ];
  for (const [name, text, message] of cases) {
    const path = join(dir, `${name}.yml`);
    writeFileSync(path, text);
    for (const mode of [[], ['--manual']]) {
      const res = await l5d(['inject', ...mode, '--ignore-cluster', ANCHORS, path]);
      assert.equal(res.status, 1, `${name} ${mode.join('')}: ${res.stderr}`);
      assert.equal(res.stdout, '');
      assert.ok(res.stderr.includes(`${path}:1: ${message}`), `${name} ${mode.join('')}: ${res.stderr}`);
    }
  }
});

test('invalid UTF-8 and binary input are refused with file:line:col', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'l5d-utf8-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bad = join(dir, 'bad.yml');
  writeFileSync(
    bad,
    Buffer.concat([
      Buffer.from('apiVersion: v1\nkind: Pod\nmetadata: {name: "p'),
      Buffer.of(0xff),
      Buffer.from('"}\n'),
    ]),
  );
  const bin = join(dir, 'bin.yml');
  writeFileSync(bin, Buffer.from('apiVersion: v1\nkind: Pod\n\x00\x01\x02'));
  for (const mode of [[], ['--manual']]) {
    const a = await l5d(['inject', ...mode, '--ignore-cluster', ANCHORS, bad]);
    assert.deepEqual([a.status, a.stdout], [1, '']);
    assert.ok(a.stderr.includes(`${bad}:3:20: invalid UTF-8`), a.stderr);
    const b = await l5d(['inject', ...mode, '--ignore-cluster', ANCHORS, bin]);
    assert.deepEqual([b.status, b.stdout], [1, '']);
    assert.ok(b.stderr.includes(`${bin}:3:1: control character 0x00`), b.stderr);
  }
});

test('a full disk is one clean error line, not a stack trace', async () => {
  const full = openSync('/dev/full', 'w');
  for (const args of [
    ['inject', '--ignore-cluster', ANCHORS, 'examples/emojivoto.yml'],
    ['install', '--ignore-cluster'],
  ]) {
    const res = await new Promise<Run>((resolve) => {
      const started = Date.now();
      const child = spawn(process.execPath, ['bin/run.js', ...args], { stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (status) => resolve({ status, stdout: '', stderr, ms: Date.now() - started }));
    });
    assert.equal(res.status, 1, res.stderr);
    assert.match(res.stderr, /^Error: cannot write the output: ENOSPC: no space left on device/m);
    assert.doesNotMatch(res.stderr, /\n\s+at |node:internal/);
  }
});
