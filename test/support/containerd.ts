// A private containerd for tests: its own root, state, socket and config under a temporary
// directory, so it never meets another containerd on the machine (a test-bed node's, say).
// stop() leaves nothing behind: tasks, shims, mounts and directories all go.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { mountsUnder, unmountUnder } from '../../images/lib/mounts.js';
import { run, type RunOptions, type RunResult } from './testbed.js';

const WATCHDOG = join(import.meta.dirname, 'containerd-watchdog.sh');

/** The directory containerd 1.6's shims put their sockets in, whatever containerd's --state. */
const SHARED_RUN_DIR = '/run/containerd';

export interface Containerd {
  /** Everything of this containerd's lives here, and goes with it; tests may put their files here too. */
  dir: string;
  address: string;
  /** `ctr` against this containerd, in the k8s.io namespace. */
  ctr(args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Options for `ctr run` that keep runc's state and the IO fifos in `dir` too. */
  runFlags: string[];
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function config(dir: string): string {
  // CRI is off: these tests drive containerd through ctr, and CRI would want CNI, a stream server
  // and the pause image of a real node.
  return [
    'version = 2',
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = "${join(dir, 'opt')}"`,
    '',
  ].join('\n');
}

/** Pids of processes whose command line names `needle` (our containerd's shims name its socket). */
function processesNaming(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes(needle)) pids.push(Number(entry));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

async function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return Promise.race([new Promise<boolean>((r) => child.once('exit', () => r(true))), sleep(ms).then(() => false)]);
}

export async function startContainerd(prefix = '/tmp/l5d-containerd-'): Promise<Containerd> {
  const dir = mkdtempSync(prefix);
  const address = join(dir, 'containerd.sock');
  const sharedRunDirExisted = existsSync(SHARED_RUN_DIR);
  writeFileSync(join(dir, 'config.toml'), config(dir));
  for (const sub of ['runc', 'fifo']) mkdirSync(join(dir, sub));
  chmodSync(dir, 0o711);
  const log = openSync(join(dir, 'containerd.log'), 'a');
  const daemon = spawn(
    'containerd',
    [
      '--root',
      join(dir, 'root'),
      '--state',
      join(dir, 'state'),
      '--address',
      address,
      '--config',
      join(dir, 'config.toml'),
    ],
    { stdio: ['ignore', log, log] },
  );
  const ctr = (args: readonly string[], opts: RunOptions = {}) =>
    run('ctr', ['--address', address, '--namespace', 'k8s.io', ...args], opts);

  let stopped = false;
  // Cleans up after a test process that dies without running stop(); stop() ends it first.
  const watchdog = spawn('bash', [WATCHDOG, String(process.pid), dir, address], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    watchdog.kill('SIGKILL');
    if (daemon.exitCode === null) {
      const tasks = await ctr(['tasks', 'ls', '-q'], { allowFailure: true });
      for (const id of tasks.stdout.split('\n').filter(Boolean)) {
        await ctr(['tasks', 'kill', '-s', 'SIGKILL', id], { allowFailure: true });
        await sleep(200);
        await ctr(['tasks', 'delete', '-f', id], { allowFailure: true });
      }
      for (const id of (await ctr(['containers', 'ls', '-q'], { allowFailure: true })).stdout
        .split('\n')
        .filter(Boolean)) {
        await ctr(['containers', 'rm', id], { allowFailure: true });
      }
      daemon.kill('SIGTERM');
      if (!(await exited(daemon, 10_000))) {
        daemon.kill('SIGKILL');
        await exited(daemon, 5_000);
      }
    }
    for (const pid of processesNaming(address)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await unmountUnder(dir);
    const left = mountsUnder(dir);
    if (left.length > 0) throw new Error(`still mounted: ${left.join(', ')}`);
    await run('rm', ['-rf', '--one-file-system', dir]);
    if (!sharedRunDirExisted) {
      // Only empty directories, and only when this containerd made them.
      for (const sub of ['s', 'fifo', '']) {
        try {
          rmdirSync(join(SHARED_RUN_DIR, sub));
        } catch {
          // Not empty (someone else's) or not there.
        }
      }
    }
  };

  try {
    for (let i = 0; ; i++) {
      if (daemon.exitCode !== null)
        throw new Error(`containerd exited: ${readFileSync(join(dir, 'containerd.log'), 'utf8')}`);
      if ((await ctr(['version'], { allowFailure: true })).code === 0) break;
      if (i > 100) throw new Error('containerd did not come up in 10 s');
      await sleep(100);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    dir,
    address,
    ctr,
    runFlags: ['--runc-root', join(dir, 'runc'), '--fifo-dir', join(dir, 'fifo'), '--cgroup', ''],
    stop,
  };
}
