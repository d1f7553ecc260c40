// The images as a node runs them: images/build.sh builds the archives (Debian bases from the
// cache after the first run), images/import.sh loads them into a private containerd, and each
// image then runs a container with runc.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IMAGES, PAUSE_IMAGE, POLICY_CONTROLLER_BINARY, imageRef, wrapperScript } from '../../images/spec.js';
import { PROXY_INIT_BINARY } from '../../src/manifests/sidecar/init-container.js';
import { type Containerd, startContainerd } from '../support/containerd.js';
import { REPO_ROOT, run } from '../support/testbed.js';

const NOT_ROOT = process.getuid?.() !== 0;

/** The iptables programs proxy-init runs, read from its source so a new one cannot be missed. */
function iptablesCommands(): string[] {
  const dir = join(REPO_ROOT, 'src', 'runtime', 'proxy-init');
  const source = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  const names = [...source.matchAll(/'(ip6?tables(?:-legacy|-nft)?(?:-save|-restore)?)'/g)].map((m) => m[1] ?? '');
  return [...new Set(names)].sort();
}
const spec = (target: string) => IMAGES.find((s) => s.target === target) ?? assert.fail(`no image ${target}`);
const CONTROLLER = imageRef(spec('controller'));
const PROXY = imageRef(spec('proxy'));
const DEBUG = imageRef(spec('debug'));
const PAUSE = imageRef(PAUSE_IMAGE, PAUSE_IMAGE.tag);

describe('container images', { skip: NOT_ROOT && 'needs root: mmdebstrap --mode=root, containerd and runc' }, () => {
  let out: string;
  let cd: Containerd;
  let seq = 0;
  const id = (name: string) => `l5d-images-${process.pid}-${name}-${seq++}`;

  /** `ctr run --rm IMAGE ID ARGS...`: ARGS replace the image's entrypoint, none keeps it. */
  const runIn = (image: string, args: string[], flags: string[] = []) =>
    cd.ctr(['run', '--rm', ...cd.runFlags, ...flags, image, id('run'), ...args], { allowFailure: true });

  before(async () => {
    cd = await startContainerd();
    // In the containerd's directory, so whatever removes that (stop() or its watchdog) removes this.
    out = join(cd.dir, 'out');
    const env = { ...process.env, L5D_IMAGES_OUT: out };
    await run('bash', [join(REPO_ROOT, 'images', 'build.sh')], { env, timeoutMs: 15 * 60_000 });
    const imported = await run('bash', [join(REPO_ROOT, 'images', 'import.sh'), cd.address], {
      env,
      timeoutMs: 5 * 60_000,
    });
    assert.match(imported.stdout, /import total/);
  });

  after(async () => {
    await cd?.stop();
  });

  test('every image is in the k8s.io namespace under the name l5d install renders', async () => {
    const listed = (await cd.ctr(['images', 'ls', '-q'])).stdout.split('\n');
    for (const ref of [CONTROLLER, PROXY, DEBUG, PAUSE])
      assert.ok(listed.includes(ref), `${ref} not in ${listed.join(', ')}`);
    const archives = readdirSync(out).filter((f) => f.endsWith('.oci.tar'));
    assert.equal(archives.length, 4, archives.join(', '));
  });

  test('controller: Debian node, the entrypoint as UID 2103, the policy controller wrapper', async () => {
    const node = await runIn(CONTROLLER, ['node', '--version']);
    assert.equal(node.code, 0, node.stderr);
    const [major, minor] = node.stdout.trim().slice(1).split('.').map(Number);
    assert.ok((major ?? 0) > 20 || ((major ?? 0) === 20 && (minor ?? 0) >= 19), node.stdout);

    // The image's own entrypoint, without a component: the controller's usage error.
    const bare = await runIn(CONTROLLER, []);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /unknown subcommand/);
    // A component loads its modules from dist/ and parses its (Go-style) flags.
    const identity = await runIn(CONTROLLER, ['node', '/opt/l5d/bin/l5d-controller.js', 'identity', '-help']);
    assert.match(identity.stderr, /flag provided but not defined: -help/);

    const env = await runIn(CONTROLLER, [
      'sh',
      '-c',
      `id -u; pwd; echo $NODE_ENV; cat ${POLICY_CONTROLLER_BINARY}; test -x ${POLICY_CONTROLLER_BINARY}`,
    ]);
    assert.equal(env.code, 0, env.stderr);
    const policy = spec('controller').wrappers.find((w) => w.path === POLICY_CONTROLLER_BINARY);
    assert.ok(policy);
    assert.equal(env.stdout, `2103\n/opt/l5d\nproduction\n${wrapperScript(policy)}`);
  });

  test('proxy: the wrappers, the addon, and iptables working as UID 2102 through file capabilities', async () => {
    const wrappers = spec('proxy').wrappers.filter((w) => !w.netAdminLauncher);
    const files = await runIn(PROXY, [
      'sh',
      '-c',
      `id -u; for f in ${wrappers.map((w) => w.path).join(' ')}; do test -x $f && cat $f; done`,
    ]);
    assert.equal(files.code, 0, files.stderr);
    assert.equal(files.stdout, `2102\n${wrappers.map(wrapperScript).join('')}`);

    const addon = await runIn(PROXY, ['node', '-e', "require('/opt/l5d/native/build/Release/orig_dst.node')"]);
    assert.equal(addon.code, 0, addon.stderr);
    // The bundled proxy starts and refuses a pod environment without identity settings.
    const proxy = await runIn(PROXY, []);
    assert.match(proxy.stderr, /LINKERD2_PROXY_IDENTITY_DIR must be set/);

    const commands = iptablesCommands();
    assert.ok(commands.length >= 8, commands.join(' '));
    const found = await runIn(PROXY, ['sh', '-c', commands.map((c) => `command -v ${c}`).join(' && ')]);
    assert.equal(found.code, 0, `proxy-init runs ${commands.join(' ')}; missing one: ${found.stdout}`);

    // NET_ADMIN granted to the container and the xtables lock on a writable volume, as in a pod.
    // --allow-new-privs: with no_new_privs (a pod's allowPrivilegeEscalation: false) the kernel
    // ignores file capabilities for a non-root process, and nft then says "you must be root".
    const lockDir = mkdtempSync(join(cd.dir, 'xtables-'));
    await run('chmod', ['1777', lockDir]);
    const flags = [
      '--cap-add',
      'CAP_NET_ADMIN',
      '--allow-new-privs',
      '--mount',
      `type=bind,src=${lockDir},dst=/run,options=rbind:rw`,
    ];
    const iptables = await runIn(
      PROXY,
      ['sh', '-c', 'iptables-legacy -w -n -L OUTPUT && iptables-nft -n -L OUTPUT'],
      flags,
    );
    assert.equal(iptables.code, 0, iptables.stderr);
    assert.equal(iptables.stdout.match(/^Chain OUTPUT/gm)?.length, 2, iptables.stdout);
    // The same binary without its capabilities cannot: the capabilities are what makes it work.
    const copy = await runIn(
      PROXY,
      ['sh', '-c', 'cp /usr/sbin/xtables-nft-multi /tmp/x && /tmp/x iptables -n -L OUTPUT'],
      flags,
    );
    assert.notEqual(copy.code, 0);
    assert.match(copy.stderr, /Permission denied/);
  });

  test('proxy: linkerd2-proxy-init programs iptables as a non-root UID under no_new_privs, as linkerd-init runs it', async () => {
    const lockDir = mkdtempSync(join(cd.dir, 'xtables-'));
    await run('chmod', ['1777', lockDir]);
    // ctr sets no_new_privs unless --allow-new-privs, as allowPrivilegeEscalation: false does.
    const flags = [
      '--cap-add',
      'CAP_NET_ADMIN',
      '--cap-add',
      'CAP_NET_RAW',
      '--mount',
      `type=bind,src=${lockDir},dst=/run,options=rbind:rw`,
    ];
    const args = ['--incoming-proxy-port', '4143', '--outgoing-proxy-port', '4140', '--proxy-uid', '2102'];
    const nft = ['--firewall-bin-path', 'iptables-nft', '--firewall-save-bin-path', 'iptables-nft-save'];
    const init = await runIn(PROXY, [PROXY_INIT_BINARY, ...args, ...nft], flags);
    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stderr + init.stdout, /PROXY_INIT_REDIRECT/);
    // Started by a shell instead, node holds no capabilities and iptables is refused.
    const viaShell = await runIn(
      PROXY,
      ['sh', '-c', `exec node /opt/l5d/bin/l5d-proxy-init.js ${[...args, ...nft].join(' ')}`],
      flags,
    );
    assert.notEqual(viaShell.code, 0);
    assert.match(viaShell.stderr + viaShell.stdout, /Permission denied/);
  });

  test('debug: the tools the debug sidecar is for', async () => {
    const tools = await runIn(DEBUG, [
      'sh',
      '-c',
      'curl --version && dig -v && ip -V && nc -h; ps --version && tcpdump --version && iptables -V && node --version',
    ]);
    assert.equal(tools.code, 0, tools.stderr);
    assert.match(tools.stdout, /curl \d/);
    assert.match(tools.stdout, /tcpdump version/);
  });

  // pause exits 0 itself; the debug entrypoint's shell ends with the interrupted `wait`'s status.
  for (const [name, image, status] of [
    ['pause', PAUSE, 0],
    ['debug', DEBUG, 143],
  ] as const) {
    test(`${name}: the entrypoint runs until SIGTERM, then exits ${status}`, async () => {
      const container = id(name);
      const child = spawn(
        'ctr',
        ['--address', cd.address, '--namespace', 'k8s.io', 'run', '--rm', ...cd.runFlags, image, container],
        {
          stdio: 'ignore',
        },
      );
      const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      for (let i = 0; ; i++) {
        const tasks = await cd.ctr(['tasks', 'ls'], { allowFailure: true });
        if (new RegExp(`^${container}\\s+\\d+\\s+RUNNING`, 'm').test(tasks.stdout)) break;
        assert.ok(i < 100, `${container} did not start: ${tasks.stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      if (name === 'pause') {
        const version = await cd.ctr(['tasks', 'exec', '--exec-id', 'probe', container, '/pause', '-v']);
        assert.equal(version.stdout, 'pause (l5d) 3.10\n');
      }
      await cd.ctr(['tasks', 'kill', '-s', 'SIGTERM', container]);
      const code = await Promise.race([exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
      assert.equal(code, status, `${container} after SIGTERM: ${code}`);
    });
  }

  test('the output directory holds the four archives and their list', () => {
    const archive = (ref: string) => `${ref.replace(/^.*\//, '').replace(':', '_')}.oci.tar`;
    const expected = [CONTROLLER, PROXY, DEBUG, PAUSE].map(archive);
    assert.deepEqual(readdirSync(out).sort(), [...expected, 'images.txt'].sort());
    const list = readFileSync(join(out, 'images.txt'), 'utf8');
    for (const ref of [CONTROLLER, PROXY, DEBUG, PAUSE])
      assert.ok(list.includes(`${ref}\t${join(out, archive(ref))}\n`), list);
  });
});
