import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseFlags } from '../../src/runtime/proxy-init/flags.js';
import { batchPorts, parsePortEntry, planCleanup, planRules } from '../../src/runtime/proxy-init/plan.js';
import { configure, selectBinaries, type Runner } from '../../src/runtime/proxy-init/exec.js';

const CHART_ARGS = [
  '--firewall-bin-path',
  'iptables-nft',
  '--firewall-save-bin-path',
  'iptables-nft-save',
  '--incoming-proxy-port',
  '4143',
  '--outgoing-proxy-port',
  '4140',
  '--proxy-uid',
  '2102',
  '--inbound-ports-to-ignore',
  '4190,4191,4567,4568',
  '--outbound-ports-to-ignore',
  '4567,4568',
];

test('the chart invocation plans the spec rule list on an empty nat table', () => {
  const plan = planRules(parseFlags(CHART_ARGS), '*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n');
  assert.deepEqual(
    plan.commands.map((c) => c.join(' ')),
    [
      '-t nat -N PROXY_INIT_REDIRECT',
      '-t nat -A PROXY_INIT_REDIRECT -p tcp --match multiport --dports 4190,4191,4567,4568 -j RETURN -m comment --comment proxy-init/ignore-port-4190,4191,4567,4568',
      '-t nat -A PROXY_INIT_REDIRECT -p tcp -j REDIRECT --to-port 4143 -m comment --comment proxy-init/redirect-all-incoming-to-proxy-port',
      '-t nat -A PREROUTING -j PROXY_INIT_REDIRECT -m comment --comment proxy-init/install-proxy-init-prerouting',
      '-t nat -N PROXY_INIT_OUTPUT',
      '-t nat -A PROXY_INIT_OUTPUT -m owner --uid-owner 2102 -j RETURN -m comment --comment proxy-init/ignore-proxy-user-id',
      '-t nat -A PROXY_INIT_OUTPUT -o lo -j RETURN -m comment --comment proxy-init/ignore-loopback',
      '-t nat -A PROXY_INIT_OUTPUT -p tcp --match multiport --dports 4567,4568 -j RETURN -m comment --comment proxy-init/ignore-port-4567,4568',
      '-t nat -A PROXY_INIT_OUTPUT -p tcp -j REDIRECT --to-port 4140 -m comment --comment proxy-init/redirect-all-outgoing-to-proxy-port',
      '-t nat -A OUTPUT -j PROXY_INIT_OUTPUT -m comment --comment proxy-init/install-proxy-init-output',
    ],
  );
});

test('re-running flushes the chains instead of creating them and does not duplicate the jumps', () => {
  const save = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':PROXY_INIT_OUTPUT - [0:0]',
    ':PROXY_INIT_REDIRECT - [0:0]',
    '-A PREROUTING -m comment --comment "proxy-init/install-proxy-init-prerouting" -j PROXY_INIT_REDIRECT',
    '-A OUTPUT -m comment --comment "proxy-init/install-proxy-init-output" -j PROXY_INIT_OUTPUT',
    'COMMIT',
  ].join('\n');
  const cmds = planRules(parseFlags(CHART_ARGS), save).commands.map((c) => c.join(' '));
  assert.ok(cmds.includes('-t nat -F PROXY_INIT_REDIRECT'));
  assert.ok(cmds.includes('-t nat -F PROXY_INIT_OUTPUT'));
  assert.ok(!cmds.some((c) => c.includes('-N ')));
  assert.ok(!cmds.some((c) => c.startsWith('-t nat -A PREROUTING') || c.startsWith('-t nat -A OUTPUT ')));
});

test('redirect-listed mode, gid, subnets, wait flag and invalid ports', () => {
  const o = parseFlags([
    '-p',
    '4143',
    '-o',
    '4140',
    '-u',
    '2102',
    '-g',
    '2103',
    '-r',
    '8080,9090',
    '--subnets-to-ignore',
    '10.0.0.0/8',
    '--inbound-ports-to-ignore',
    '22,abc,70000,5-3',
    '-w',
  ]);
  const plan = planRules(o, '');
  const cmds = plan.commands.map((c) => c.join(' '));
  assert.deepEqual(plan.skipped, ['abc', '70000', '5-3']);
  assert.ok(
    cmds.includes(
      '-t nat -A PROXY_INIT_REDIRECT -p tcp --match multiport --dports 22 -j RETURN -m comment --comment proxy-init/ignore-port-22 -w',
    ),
  );
  assert.ok(
    cmds.includes(
      '-t nat -A PROXY_INIT_REDIRECT -p all -j RETURN -s 10.0.0.0/8 -m comment --comment proxy-init/ignore-subnet-10.0.0.0/8 -w',
    ),
  );
  assert.ok(
    cmds.includes(
      '-t nat -A PROXY_INIT_REDIRECT -p tcp --destination-port 8080 -j REDIRECT --to-port 4143 -m comment --comment proxy-init/redirect-port-8080-to-proxy-port -w',
    ),
  );
  assert.ok(
    cmds.includes(
      '-t nat -A PROXY_INIT_OUTPUT -m owner --gid-owner 2103 -j RETURN -m comment --comment proxy-init/ignore-proxy-group-id -w',
    ),
  );
  assert.ok(!cmds.some((c) => c.includes('redirect-all-incoming')));
});

test('multiport batches hold at most 15 ports, a range counting 2', () => {
  const entries = ['1-2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16-17'].map((p) =>
    parsePortEntry(p)!,
  );
  const batches = batchPorts(entries);
  assert.deepEqual(batches[0], ['1:2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15']);
  assert.deepEqual(batches[1], ['16:17']);
  assert.equal(parsePortEntry('7-7')?.text, '7');
});

test('flags: modes from the bin path, iptables-mode override, validation', () => {
  assert.equal(parseFlags(CHART_ARGS).mode, 'nft');
  assert.equal(parseFlags(['-p', '1', '-o', '2']).mode, 'legacy');
  assert.equal(parseFlags(['-p', '1', '-o', '2', '--firewall-bin-path', 'iptables']).mode, 'plain');
  assert.equal(parseFlags([...CHART_ARGS, '--iptables-mode', 'legacy']).mode, 'legacy');
  assert.equal(parseFlags([...CHART_ARGS, '--ipv6=false']).ipv6, false);
  assert.equal(parseFlags(CHART_ARGS).ipv6, true);
  assert.throws(() => parseFlags(['-p', '1', '-o', '2', '--firewall-bin-path', '/sbin/fw']), FlagError);
  assert.throws(() => parseFlags(['-o', '4140']), /--incoming-proxy-port must be set/);
  assert.throws(() => parseFlags([...CHART_ARGS, '--bogus']), /unknown flag: --bogus/);
  assert.throws(() => parseFlags([...CHART_ARGS, '--iptables-mode', 'ebpf']), /legacy, nft or plain/);
});

test('the executor runs save, the plan and save again per family, and stops at the first failure', () => {
  const calls: string[] = [];
  const runner: Runner = {
    run(argv) {
      calls.push(argv.join(' '));
      if (argv.includes('PROXY_INIT_OUTPUT') && argv.includes('-N') && argv[0]?.startsWith('ip6'))
        return { code: 1, output: 'boom' };
      return { code: 0, output: argv[0]?.endsWith('-save') ? '*nat\nCOMMIT\n' : '' };
    },
  };
  const logs: string[] = [];
  const o = parseFlags([...CHART_ARGS, '--iptables-mode', 'plain']);
  assert.throws(
    () => configure(o, runner, (_l, m) => logs.push(m)),
    /failed to run "ip6tables -t nat -N PROXY_INIT_OUTPUT": exit status 1: boom/,
  );
  assert.equal(calls[0], 'iptables-save -t nat');
  assert.equal(calls[1], 'iptables -t nat -N PROXY_INIT_REDIRECT');
  assert.equal(calls[11], 'iptables-save -t nat');
  assert.equal(calls[12], 'ip6tables-save -t nat');
  assert.equal(calls.at(-1), 'ip6tables -t nat -N PROXY_INIT_OUTPUT');
  assert.ok(logs.includes('iptables -t nat -N PROXY_INIT_REDIRECT'), 'each command is logged');
});

test('simulate only logs; missing binaries fall back to an available pair', () => {
  const runner: Runner = { run: () => assert.fail('simulate must not execute') };
  const logs: string[] = [];
  configure(parseFlags([...CHART_ARGS, '--simulate', '--timeout-close-wait-secs', '3600']), runner, (_l, m) =>
    logs.push(m),
  );
  assert.equal(logs[0], 'sysctl -w net.netfilter.nf_conntrack_tcp_timeout_close_wait=3600');
  const warnings: string[] = [];
  const bins = selectBinaries('legacy', 'v4', (_l, m) => warnings.push(m), '/nonexistent');
  assert.deepEqual(bins, { iptables: 'iptables-legacy', save: 'iptables-legacy-save' });
});

test('cleanup removes the jumps, then flushes and deletes both chains', () => {
  const save =
    ':PROXY_INIT_REDIRECT - [0:0]\n:PROXY_INIT_OUTPUT - [0:0]\n-A PREROUTING -j PROXY_INIT_REDIRECT\n-A OUTPUT -j PROXY_INIT_OUTPUT\n';
  assert.deepEqual(
    planCleanup(save).map((c) => c.slice(2, 4).join(' ')),
    [
      '-D PREROUTING',
      '-D OUTPUT',
      '-F PROXY_INIT_REDIRECT',
      '-X PROXY_INIT_REDIRECT',
      '-F PROXY_INIT_OUTPUT',
      '-X PROXY_INIT_OUTPUT',
    ],
  );
});
