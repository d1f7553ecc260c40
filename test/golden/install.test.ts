import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden } from '../support/golden.js';
import { makeCert } from '../fixtures/certs/factory.js';

// Runs the built CLI (`npm run build` first), as users do.
const CERTS = 'test/fixtures/certs';
const FIXED = [
  '--ignore-cluster',
  `--identity-trust-anchors-file=${CERTS}/trust-anchors.pem`,
  `--identity-issuer-certificate-file=${CERTS}/issuer-crt.pem`,
  `--identity-issuer-key-file=${CERTS}/issuer-key.pem`,
  '--set',
  'proxyInjector.externalSecret=true,proxyInjector.caBundle=proxy-injector-ca-bundle',
  '--set',
  'profileValidator.externalSecret=true,profileValidator.caBundle=profile-validator-ca-bundle',
  '--set',
  'policyValidator.externalSecret=true,policyValidator.caBundle=policy-validator-ca-bundle',
  '--set',
  'heartbeatSchedule=1 2 3 4 5',
];

function l5d(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.LINKERD_NAMESPACE;
  delete env.LINKERD_DOCKER_REGISTRY;
  const res = spawnSync('node', ['bin/run.js', ...args], { encoding: 'utf8', env });
  return { stdout: res.stdout, stderr: res.stderr, status: res.status };
}

function ok(...args: string[]): string {
  const res = l5d(...args);
  assert.equal(res.status, 0, res.stderr);
  return res.stdout;
}

test('install_default.golden', () => assertGolden('install_default.golden', ok('install', ...FIXED)));
test('install_ha.golden', () => assertGolden('install_ha.golden', ok('install', '--ha', ...FIXED)));
test('install_values_file.golden', () =>
  assertGolden(
    'install_values_file.golden',
    ok('install', ...FIXED, '--values', 'test/fixtures/install/install_config.yaml'),
  ));

test('install_crds.golden and its stderr', () => {
  const res = l5d('install', '--crds', '--ignore-cluster');
  assert.equal(res.status, 0, res.stderr);
  assert.equal(
    res.stderr,
    'Rendering Linkerd CRDs...\nNext, run `l5d install | kubectl apply -f -` to install the control plane.\n\n',
  );
  assertGolden('install_crds.golden', res.stdout);
});

test('install without supplied certificates generates a P-256 trust anchor', () => {
  const out = ok('install', '--ignore-cluster');
  const match = /ca-bundle\.crt: \|-?\n((?: {4}.*\n)+)/.exec(out);
  assert.ok(match, 'trust-roots ConfigMap not found');
  const pem = (match[1] ?? '').replace(/^ {4}/gm, '');
  const text = spawnSync('openssl', ['x509', '-text', '-noout'], { input: pem, encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /ASN1 OID: prime256v1/);
  assert.match(text.stdout, /Subject: CN\s?=\s?identity\.linkerd\.cluster\.local/);
  const dates = spawnSync('openssl', ['x509', '-noout', '-startdate', '-enddate'], { input: pem, encoding: 'utf8' });
  const [start, end] = [...dates.stdout.matchAll(/=(.*)/g)].map((m) => Date.parse(m[1] ?? ''));
  assert.equal(((end ?? 0) - (start ?? 0)) / 1000, 365 * 24 * 3600 + 20);
});

function fails(expected: string | RegExp, ...args: string[]): void {
  const res = l5d('install', ...args);
  assert.equal(res.status, 1, `expected exit 1, got ${res.status}: ${res.stderr}`);
  assert.equal(res.stdout, '', 'stdout must stay empty on failure');
  if (typeof expected === 'string') assert.ok(res.stderr.includes(expected), res.stderr);
  else assert.match(res.stderr, expected);
}

const anchorsFlag = `--identity-trust-anchors-file=${CERTS}/trust-anchors.pem`;

test('bad input: message on stderr, exit 1, empty stdout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'l5d-install-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  fails('Error: unknown value key "nope.key"', '--ignore-cluster', '--set', 'nope.key=1');
  fails(
    'Error: open /does/not/exist.pem: no such file or directory',
    '--ignore-cluster',
    '--identity-issuer-certificate-file=/does/not/exist.pem',
  );
  fails(
    'Error: not a PEM certificate',
    '--ignore-cluster',
    `--identity-issuer-certificate-file=${file('g.pem', 'garbled')}`,
  );
  fails('Error: not PEM-encoded', '--ignore-cluster', `--identity-issuer-key-file=${file('g.key', 'garbled')}`);
  fails('Error: unsupported format xml', '--ignore-cluster', '-o', 'xml');
  fails(
    'Error: identity issuance lifetime must be between 1s and 8760h0m0s, got -1h0m0s',
    '--ignore-cluster',
    '--identity-issuance-lifetime=-1h',
  );
  fails(
    'Error: identity clock skew allowance must be between 0s and 24h0m0s, got 48h0m0s',
    '--ignore-cluster',
    '--identity-clock-skew-allowance=48h',
  );

  const root = await makeCert({
    cn: 'root',
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2120-01-01T00:00:00Z'),
  });
  const anchors = file('ca.pem', root.certPEM);
  const withIssuer = async (name: string, opts: Parameters<typeof makeCert>[0], key?: string): Promise<string[]> => {
    const issuer = await makeCert({ ...opts, signer: root });
    return [
      '--ignore-cluster',
      `--identity-trust-anchors-file=${anchors}`,
      `--identity-issuer-certificate-file=${file(`${name}.crt`, issuer.certPEM)}`,
      `--identity-issuer-key-file=${file(`${name}.key`, key ?? issuer.keyPEM)}`,
    ];
  };
  fails(
    'Error: failed to validate issuer credentials: issuer certificate must use ECDSA for public key algorithm, instead RSA was used',
    ...(await withIssuer('rsa', { cn: 'rsa', key: 'RSA' })),
  );
  fails(
    'Error: failed to validate issuer credentials: not valid anymore. Expired on 2001-01-01T00:00:00Z',
    ...(await withIssuer('expired', {
      cn: 'e',
      notBefore: new Date('2000-01-01T00:00:00Z'),
      notAfter: new Date('2001-01-01T00:00:00Z'),
    })),
  );
  fails(
    'Error: failed to validate issuer credentials: not valid before: 2099-01-01T00:00:00Z',
    ...(await withIssuer('future', {
      cn: 'f',
      notBefore: new Date('2099-01-01T00:00:00Z'),
      notAfter: new Date('2100-01-01T00:00:00Z'),
    })),
  );
  fails(
    'Error: failed to validate issuer credentials: failed to read CA: tls: Public and private key do not match',
    ...(await withIssuer('mismatch', { cn: 'm' }, root.keyPEM)),
  );
  fails(
    'Error: a certificate file must be specified if other credentials are provided',
    '--ignore-cluster',
    anchorsFlag,
  );
});
