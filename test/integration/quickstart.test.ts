// The quick start (scripts/quickstart.sh) end to end: it must finish, show the control plane at work
// at each step, and leave nothing behind. The suite has built l5d already, so the script skips npm.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, run, testbedBinDir } from '../support/testbed.js';

const WEB_ID = 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local';
const EMOJI_ID = 'emoji.emojivoto.serviceaccount.identity.linkerd.cluster.local';

/** The output between the `== N. title ==` heading that contains `title` and the next heading. */
function section(output: string, title: string): string {
  const start = output.split('\n').findIndex((l) => /^== \d+\. /.test(l) && l.includes(title));
  assert.ok(start >= 0, `no step "${title}" in:\n${output}`);
  const lines = output.split('\n').slice(start + 1);
  const end = lines.findIndex((l) => l.startsWith('== '));
  return lines.slice(0, end < 0 ? undefined : end).join('\n');
}

test('scripts/quickstart.sh runs the quick start unattended and cleans up', { timeout: 150_000 }, async () => {
  testbedBinDir(); // fails early, with the build hint, when the Kubernetes binaries are missing
  const r = await run('bash', [join(REPO_ROOT, 'scripts', 'quickstart.sh')], {
    env: { ...process.env, CI: 'true', NO_COLOR: '1', L5D_QUICKSTART_SKIP_BUILD: '1' },
    timeoutMs: 140_000,
    allowFailure: true,
  });
  const out = r.stdout;
  assert.equal(r.code, 0, `exit ${r.code}\nstdout:\n${out}\nstderr:\n${r.stderr}`);

  const install = section(out, 'Install the control plane');
  const [beforeInstall, afterInstall] = install.split('$ l5d install | kubectl apply --server-side -f -');
  assert.match(beforeInstall ?? '', /Client version: edge-\S+\nServer version: unavailable/);
  assert.match(afterInstall ?? '', /\$ l5d version\nClient version: (edge-\S+)\nServer version: \1\n/);
  assert.match(install, /\$ l5d check --pre\n[\s\S]*Status check results are √/);
  assert.match(install, /deployment\.apps\/linkerd-identity serverside-applied/);

  assert.match(section(out, 'Inject the emojivoto'), /emoji +enabled\nvoting +enabled\nweb +enabled/);
  assert.match(
    section(out, 'Play the missing kubelet'),
    /web-\S+ +Running +10\.244\.\d+\.\d+ +web-svc +linkerd-init,linkerd-proxy/,
  );

  const controllers = section(out, 'Run the identity and destination controllers');
  assert.match(controllers, /identity is ready/);
  assert.match(controllers, /destination is ready/);

  const demo = section(out, 'Watch the control plane work');
  assert.match(demo, new RegExp(`SAN: +DNS:${WEB_ID.replaceAll('.', '\\.')}\n`));
  assert.match(demo, /chain: +verified against the trust anchors/);
  const initial =
    /Destination\.Get\(emoji-svc\.emojivoto\.svc\.cluster\.local:8080\) at \S+: 1 endpoint\(s\)\n(.*)\n/.exec(demo);
  assert.ok(initial, demo);
  assert.match(
    initial[1] ?? '',
    new RegExp(`10\\.244\\.\\d+\\.\\d+:8080 .*tls-identity=${EMOJI_ID.replaceAll('.', '\\.')}`),
  );
  const scaled = demo.slice(demo.indexOf('$ kubectl scale deployment emoji'));
  assert.match(scaled, /update: added 10\.244\.\d+\.\d+:8080 +pod=emoji-\S+ +tls-identity=emoji\.emojivoto\./);
  assert.match(scaled, /emoji-svc\.emojivoto\.svc\.cluster\.local:8080 now has 2 endpoint\(s\)/);

  assert.match(
    section(out, 'Check the installation'),
    /√ control plane CustomResourceDefinitions exist[\s\S]*Status check results are √/,
  );
  assert.match(out, /Quick start complete in \d+\.\d+s/);

  // Everything it started is gone: the work directory (cluster data, logs, pids) and its processes.
  const work = /removed (\S+l5d-quickstart\.\w+)/.exec(out)?.[1];
  assert.ok(work, 'the cleanup names its work directory');
  assert.equal(existsSync(work), false);
  const left = await run('pgrep', ['-f', work], { allowFailure: true });
  assert.equal(left.stdout.trim(), '', `processes left running:\n${left.stdout}`);
});
