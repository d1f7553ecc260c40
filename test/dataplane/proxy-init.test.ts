// proxy-init against real iptables inside a throw-away network namespace: the rules of the
// spec land in the nat table, in nft and legacy modes, and re-running does not duplicate them.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO, sh } from './netns-mesh.js';

const isRoot = process.getuid?.() === 0;
const NS = `l5dt-${process.pid}-init`;

function proxyInit(mode: string): { code: number; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO, 'src/runtime/proxy-init/run.ts'),
      '--netns',
      `/run/netns/${NS}`,
      '--iptables-mode',
      mode,
      '-p',
      '4143',
      '-o',
      '4140',
      '-u',
      '2102',
      '--inbound-ports-to-ignore',
      '4190,4191',
      '--subnets-to-ignore',
      '10.9.0.0/16',
      '--ipv6=false',
    ],
    { encoding: 'utf8' },
  );
  return { code: r.status ?? 1, stderr: r.stderr };
}

function save(mode: string): string {
  return sh(['ip', 'netns', 'exec', NS, `iptables-${mode}-save`, '-t', 'nat']);
}

describe('proxy-init in a network namespace', { skip: !isRoot && 'needs root' }, () => {
  after(() => sh(['ip', 'netns', 'del', NS], true));

  for (const mode of ['nft', 'legacy']) {
    it(`installs the rules idempotently (${mode})`, () => {
      sh(['ip', 'netns', 'del', NS], true);
      sh(['ip', 'netns', 'add', NS]);
      const first = proxyInit(mode);
      assert.equal(first.code, 0, first.stderr);
      const once = save(mode);
      assert.match(once, /-A PREROUTING .*-j PROXY_INIT_REDIRECT/);
      assert.match(once, /-A PROXY_INIT_REDIRECT -p tcp -m multiport --dports 4190,4191 .*-j RETURN/);
      assert.match(once, /-A PROXY_INIT_REDIRECT -s 10\.9\.0\.0\/16 .*-j RETURN/);
      assert.match(
        once,
        /-A PROXY_INIT_REDIRECT -p tcp .*proxy-init\/redirect-all-incoming-to-proxy-port.* -j REDIRECT --to-ports 4143/,
      );
      assert.match(once, /-A PROXY_INIT_OUTPUT -m owner --uid-owner 2102 .*-j RETURN/);
      assert.match(once, /-A PROXY_INIT_OUTPUT -o lo .*-j RETURN/);
      assert.match(once, /-A PROXY_INIT_OUTPUT -p tcp .* -j REDIRECT --to-ports 4140/);
      const second = proxyInit(mode);
      assert.equal(second.code, 0, second.stderr);
      const twice = save(mode);
      const rules = (s: string): string[] =>
        s
          .split('\n')
          .filter((l) => l.startsWith('-A'))
          .sort();
      assert.deepEqual(rules(twice), rules(once));
      assert.match(first.stderr, /level=info msg="iptables-(nft|legacy) -t nat -N PROXY_INIT_REDIRECT"/);
    });
  }
});
