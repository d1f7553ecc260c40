import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/runtime/proxy/config/config.js';
import {
  cidrContains,
  parseCidr,
  parsePortRanges,
  parseSocketAddr,
  parseDnsSuffixes,
  parseControlAddr,
} from '../../src/runtime/proxy/config/formats.js';
import { parseProxyDuration } from '../../src/runtime/shared/data-plane-duration.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const BASE = {
  LINKERD2_PROXY_IDENTITY_DIR: '/var/run/linkerd/identity/end-entity',
  LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS: PEM,
  LINKERD2_PROXY_IDENTITY_TOKEN_FILE: '/var/run/secrets/tokens/linkerd-identity-token',
  LINKERD2_PROXY_IDENTITY_LOCAL_NAME: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local',
  LINKERD2_PROXY_IDENTITY_SVC_ADDR: 'linkerd-identity-headless.linkerd.svc.cluster.local.:8080',
  LINKERD2_PROXY_IDENTITY_SVC_NAME: 'linkerd-identity.linkerd.serviceaccount.identity.linkerd.cluster.local',
  LINKERD2_PROXY_DESTINATION_SVC_ADDR: 'linkerd-dst-headless.linkerd.svc.cluster.local.:8086',
  LINKERD2_PROXY_DESTINATION_SVC_NAME: 'linkerd-destination.linkerd.serviceaccount.identity.linkerd.cluster.local',
  LINKERD2_PROXY_POLICY_SVC_ADDR: 'linkerd-policy.linkerd.svc.cluster.local.:8090',
  LINKERD2_PROXY_POLICY_SVC_NAME: 'linkerd-destination.linkerd.serviceaccount.identity.linkerd.cluster.local',
  LINKERD2_PROXY_POLICY_WORKLOAD: '{"ns":"emojivoto","pod":"web-1"}',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...BASE, ...env });
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

test('durations follow the proxy format: units required except for 0, no spaces before the unit', () => {
  assert.equal(parseProxyDuration('10s'), 10_000);
  assert.equal(parseProxyDuration(' 100ms '), 100);
  assert.equal(parseProxyDuration('2m'), 120_000);
  assert.equal(parseProxyDuration('365d'), 365 * 86_400_000);
  assert.equal(parseProxyDuration('0'), 0);
  assert.throws(() => parseProxyDuration('10'));
  assert.throws(() => parseProxyDuration('1 ms'));
  assert.throws(() => parseProxyDuration('1.5s'));
});

test('socket addresses need brackets for IPv6 and reject names', () => {
  assert.deepEqual(parseSocketAddr('[::]:4143'), { host: '::', port: 4143 });
  assert.deepEqual(parseSocketAddr('127.0.0.1:4140'), { host: '127.0.0.1', port: 4140 });
  assert.throws(() => parseSocketAddr('localhost:4140'));
  assert.throws(() => parseSocketAddr('::1:4140'));
  assert.throws(() => parseSocketAddr('127.0.0.1:70000'));
});

test('control addresses: loopback needs no name, others do', () => {
  assert.equal(parseControlAddr('localhost.:8086', undefined).identity, undefined);
  assert.throws(() => parseControlAddr('linkerd-dst-headless.linkerd.svc.cluster.local.:8086', undefined), /_SVC_NAME/);
});

test('port ranges, DNS suffixes and networks', () => {
  assert.deepEqual(parsePortRanges('25, 587,3306-3307,,'), [
    [25, 25],
    [587, 587],
    [3306, 3307],
  ]);
  assert.throws(() => parsePortRanges('10-5'));
  assert.throws(() => parsePortRanges('70000'));
  assert.deepEqual(parseDnsSuffixes('svc.cluster.local.,Example.COM,.'), ['svc.cluster.local.', 'example.com.', '.']);
  assert.ok(cidrContains(parseCidr('10.0.0.0/8'), '10.1.2.3'));
  assert.ok(!cidrContains(parseCidr('10.0.0.0/8'), '11.1.2.3'));
  assert.ok(cidrContains(parseCidr('fd00::/8'), 'fd12::1'));
});

test('the chart environment parses with the documented defaults', () => {
  const c = loadConfig({
    ...BASE,
    LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS: '127.0.0.1:4140,[::1]:4140',
    LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION: '25,587,3306,4444,5432,6379,9300,11211',
  });
  assert.equal(c.outboundListen.length, 2);
  assert.deepEqual(c.inboundListen, { host: '0.0.0.0', port: 4143 });
  assert.deepEqual(c.adminListen, { host: '127.0.0.1', port: 4191 });
  assert.equal(c.inboundConnectTimeoutMs, 300);
  assert.equal(c.outboundConnectTimeoutMs, 1000);
  assert.equal(c.shutdownGraceMs, 120_000);
  assert.equal(c.defaultPolicy, 'all-unauthenticated');
  assert.equal(c.identity.control.identity, 'linkerd-identity.linkerd.serviceaccount.identity.linkerd.cluster.local');
  assert.equal(c.informationalHeaders, true);
  assert.equal(c.inboundOpaquePorts.length, 8);
});

test('invalid values are reported with the variable name and value', () => {
  const problems = problemsOf({ LINKERD2_PROXY_INBOUND_CONNECT_TIMEOUT: '100', LINKERD2_PROXY_LOG_FORMAT: 'xml' });
  assert.deepEqual(problems, [
    'LINKERD2_PROXY_INBOUND_CONNECT_TIMEOUT="100" is not valid: a duration needs a unit (ms, s, m, h, d) unless it is 0',
    'LINKERD2_PROXY_LOG_FORMAT="xml" is not valid: expected plain or json',
  ]);
});

test('configuration constraints: identity disabled, stream limits, cluster-only default policies, >2 outbound listeners', () => {
  assert.match(problemsOf({ LINKERD2_PROXY_IDENTITY_DISABLED: '1' })[0] ?? '', /no longer supported/);
  assert.match(
    problemsOf({
      LINKERD2_PROXY_CONTROL_STREAM_INITIAL_TIMEOUT: '10s',
      LINKERD2_PROXY_CONTROL_STREAM_IDLE_TIMEOUT: '5s',
    })[0] ?? '',
    /initial <= idle <= lifetime/,
  );
  assert.equal(problemsOf({ LINKERD2_PROXY_INBOUND_DEFAULT_POLICY: 'cluster-authenticated' }).length, 1);
  assert.deepEqual(
    problemsOf({
      LINKERD2_PROXY_INBOUND_DEFAULT_POLICY: 'cluster-authenticated',
      LINKERD2_PROXY_POLICY_CLUSTER_NETWORKS: '10.0.0.0/8',
    }),
    [],
  );
  assert.equal(problemsOf({ LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS: '127.0.0.1:1,127.0.0.1:2,127.0.0.1:3' }).length, 1);
  assert.match(problemsOf({ LINKERD2_PROXY_IDENTITY_SVC_NAME: '' })[0] ?? '', /IDENTITY_SVC_ADDR.*_SVC_NAME/);
});

test('the proxy exits 64 with "Invalid configuration" and nothing on stdout', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/runtime/proxy/run.ts'], {
    env: { PATH: process.env['PATH'], ...BASE, LINKERD2_PROXY_OUTBOUND_CONNECT_TIMEOUT: 'soon' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 64);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /LINKERD2_PROXY_OUTBOUND_CONNECT_TIMEOUT="soon" is not valid/);
  assert.match(r.stderr, /Invalid configuration: /);
});
