// The network validator against real NAT rules: in a namespace of its own, wired by a veth pair to
// a peer namespace (all traffic stays between the two), the validator running as UID 65534 reaches
// its own listener only once proxy-init's rules redirect outbound connections to port 4140.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, sh } from './netns-mesh.js';

const isRoot = process.getuid?.() === 0;
const POD_NS = `l5dnv-${process.pid}-pod`;
const PEER_NS = `l5dnv-${process.pid}-peer`;
const POD_IP = '10.213.0.1';
const PEER_IP = '10.213.0.2';
/** An address of the peer namespace where nothing listens: only a redirect can make it answer. */
const CONNECT_ADDR = `${PEER_IP}:20001`;
const NOBODY = 65534;
const PROXY_UID = 2102;

function removeNamespaces(): void {
  for (const ns of [POD_NS, PEER_NS]) sh(['ip', 'netns', 'del', ns], true);
}

function validator(uid: number): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    'ip',
    [
      ...['netns', 'exec', POD_NS],
      ...['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'],
      process.execPath,
      join(REPO, 'bin', 'l5d-network-validator.js'),
      ...['--log-format', 'plain', '--log-level', 'debug'],
      ...['--connect-addr', CONNECT_ADDR, '--listen-addr', '0.0.0.0:4140', '--timeout', '10s'],
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** proxy-init with the arguments the chart gives linkerd-init (iptablesMode nft, no IPv6). */
function proxyInit(): void {
  sh([
    process.execPath,
    join(REPO, 'bin', 'l5d-proxy-init.js'),
    ...['--netns', `/run/netns/${POD_NS}`],
    ...['--firewall-bin-path', 'iptables-nft', '--firewall-save-bin-path', 'iptables-nft-save'],
    '--ipv6=false',
    ...['--incoming-proxy-port', '4143', '--outgoing-proxy-port', '4140', '--proxy-uid', String(PROXY_UID)],
    ...['--inbound-ports-to-ignore', '4190,4191,4567,4568', '--outbound-ports-to-ignore', '4567,4568'],
  ]);
}

describe('network validator in a network namespace', { skip: !isRoot && 'needs root' }, () => {
  before(() => {
    for (const bin of ['network-validator', 'proxy-init']) {
      const built = join(REPO, 'dist', 'runtime', bin, 'run.js');
      assert.ok(existsSync(built), `${built} is missing: run \`npx tsc -p tsconfig.build.json\` first`);
    }
    removeNamespaces();
    sh(['ip', 'netns', 'add', POD_NS]);
    sh(['ip', 'netns', 'add', PEER_NS]);
    sh(['ip', '-n', POD_NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'peer0', 'netns', PEER_NS]);
    for (const [ns, dev, ip] of [
      [POD_NS, 'eth0', POD_IP],
      [PEER_NS, 'peer0', PEER_IP],
    ] as const) {
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', dev]);
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    }
  });
  after(removeNamespaces);

  it('without the NAT rules the connection reaches the peer, which refuses it: exit 95', () => {
    const run = validator(NOBODY);
    assert.equal(run.code, 95, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`ERROR linkerd_network_validator: error=connection to ${CONNECT_ADDR} failed`));
    assert.doesNotMatch(run.stdout, /Validated/);
  });

  it('with proxy-init rules, UID 65534 is redirected to its own listener: Validated, exit 0', () => {
    proxyInit();
    const run = validator(NOBODY);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    // The redirected connection is accepted from one of the pod's own addresses.
    assert.match(
      run.stdout,
      new RegExp(
        `DEBUG linkerd_network_validator: Accepted client\\.addr=(127\\.0\\.0\\.1|${POD_IP.replace(/\./g, '\\.')}):\\d+`,
      ),
    );
    assert.match(run.stdout, /INFO linkerd_network_validator: Validated\n$/);
  });

  it('the proxy UID is exempt from the redirect, so the same check fails for it', () => {
    const run = validator(PROXY_UID);
    assert.equal(run.code, 95, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /Validated/);
  });
});
