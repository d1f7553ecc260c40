// Kubernetes test bed for integration tests: a real etcd + kube-apiserver on loopback, started
// per test file by testbed/up.sh from binaries cached by testbed/build.sh. See testbed/README.md.
// With `node`, a whole single-node cluster (kubelet, containerd, controller-manager, scheduler,
// kube-proxy, cluster DNS) runs instead; see testbed/node/README.md.
//
// Without a node no kube-controller-manager or scheduler run: the `default` ServiceAccount and the
// `kube-root-ca.crt` ConfigMap are NOT created in new namespaces, pods are never scheduled and
// namespace deletion never completes. Tests create what they need (TokenRequest and TokenReview
// work: the API server handles them itself).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TESTBED_DIR = join(REPO_ROOT, 'testbed');

export interface Testbed {
  /** Directory holding the kubeconfigs, PKI, logs and etcd data; removed by stop(). */
  dir: string;
  /** cluster-admin (client cert in group system:masters). */
  adminKubeconfig: string;
  /** user `l5d-limited`: may only get/list namespaces and nodes and read discovery/version. */
  limitedKubeconfig: string;
  /** e.g. https://127.0.0.1:41234 (with a node, the node's address instead of 127.0.0.1) */
  apiUrl: string;
  etcdUrl: string;
  /** Directory with kube-apiserver, etcd and kubectl. */
  binDir: string;
  pids: { etcd: number; apiserver: number };
  /** Variables exported by DIR/env (KUBECONFIG, L5D_TESTBED_*). */
  env: Record<string, string>;
  /** Stops etcd and kube-apiserver and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** When false (default), a non-zero exit rejects with an Error carrying stdout/stderr. */
  allowFailure?: boolean;
}

/** Runs a command (no shell) and collects its output. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    const timeoutMs = opts.timeoutMs ?? 120_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: RunResult = {
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (timedOut) {
        reject(new Error(`${cmd} ${args.join(' ')}: timed out after ${timeoutMs}ms\n${result.stderr}`));
      } else if (result.code !== 0 && opts.allowFailure !== true) {
        const how = signal === null ? `exit ${result.code}` : `signal ${signal}`;
        reject(new Error(`${cmd} ${args.join(' ')}: ${how}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`));
      } else {
        resolvePromise(result);
      }
    });
    if (opts.stdin !== undefined && child.stdin !== null) {
      child.stdin.on('error', () => undefined); // EPIPE if the command exits without reading stdin
      child.stdin.end(opts.stdin);
    }
  });
}

let cachedBinDir: string | undefined;

/**
 * Directory with the test bed binaries (kube-apiserver, etcd, kubectl). Honours L5D_TESTBED_BIN;
 * otherwise asks `testbed/build.sh --check`, which never builds. Throws a clear error if missing.
 */
export function testbedBinDir(): string {
  if (cachedBinDir !== undefined) return cachedBinDir;
  const override = process.env.L5D_TESTBED_BIN;
  if (override !== undefined && override !== '') {
    for (const b of ['kube-apiserver', 'etcd', 'kubectl']) {
      if (!existsSync(join(override, b))) throw new Error(`L5D_TESTBED_BIN=${override} has no ${b}`);
    }
    cachedBinDir = override;
    return override;
  }
  const r = spawnSync('bash', [join(TESTBED_DIR, 'build.sh'), '--check'], { encoding: 'utf8' });
  const dir = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || dir === '') {
    throw new Error(
      'Kubernetes test bed binaries (kube-apiserver, etcd, kubectl) are not built.\n' +
        `Run once: bash testbed/build.sh   (from ${REPO_ROOT}; cold build takes several minutes, then it is cached)\n` +
        (r.stderr ?? ''),
    );
  }
  cachedBinDir = dir;
  return dir;
}

export interface KubectlOptions extends RunOptions {
  kubeconfig: string;
}

/** Runs the test bed's kubectl (same version as the API server) with an explicit kubeconfig. */
export function kubectl(args: readonly string[], opts: KubectlOptions): Promise<RunResult> {
  const { kubeconfig, ...rest } = opts;
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), KUBECONFIG: kubeconfig };
  return run(join(testbedBinDir(), 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { ...rest, env });
}

function parseEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)='([^']*)'$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) env[m[1]] = m[2];
  }
  return env;
}

function requireVar(env: Record<string, string>, name: string): string {
  const v = env[name];
  if (v === undefined || v === '') throw new Error(`test bed env file lacks ${name}`);
  return v;
}

const live = new Set<string>();
let exitHookInstalled = false;

function downSync(dir: string): void {
  spawnSync('bash', [join(TESTBED_DIR, 'down.sh'), dir], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts etcd + kube-apiserver in a fresh temp dir. Always pair with `stop()` in an `after` hook.
 * Safety nets: a process 'exit' hook stops forgotten test beds, and up.sh's watchdog stops them
 * if this process is killed outright.
 */
export interface TestbedOptions {
  timeoutSeconds?: number;
  /** Start the single node too, importing the OCI archives in `images` (images/build.sh). */
  node?: { images: string };
}

export async function startTestbed(opts: TestbedOptions = {}): Promise<Testbed> {
  const binDir = testbedBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'l5d-testbed-'));
  live.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const d of live) downSync(d);
    });
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    L5D_TESTBED_BIN: binDir,
    L5D_TESTBED_PARENT_PID: String(process.pid),
    L5D_TESTBED_TIMEOUT: String(opts.timeoutSeconds ?? 90),
    ...(opts.node ? { L5D_NODE_IMAGES: opts.node.images } : {}),
  };
  const upArgs = opts.node ? ['--node', dir] : [dir];
  // A node waits for several components in turn, each up to the timeout.
  const upTimeoutMs = ((opts.timeoutSeconds ?? 90) * (opts.node ? 4 : 1) + 60) * 1000;
  try {
    await run('bash', [join(TESTBED_DIR, 'up.sh'), ...upArgs], { env, timeoutMs: upTimeoutMs });
  } catch (e) {
    const log = join(dir, 'logs', 'kube-apiserver.log');
    const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : '';
    await run('bash', [join(TESTBED_DIR, 'down.sh'), dir], { allowFailure: true, timeoutMs: 180_000 });
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
    throw new Error(`testbed/up.sh failed: ${(e as Error).message}\n${tail}`);
  }
  const vars = parseEnvFile(join(dir, 'env'));
  let stopped = false;
  return {
    dir,
    adminKubeconfig: requireVar(vars, 'L5D_TESTBED_ADMIN_KUBECONFIG'),
    limitedKubeconfig: requireVar(vars, 'L5D_TESTBED_LIMITED_KUBECONFIG'),
    apiUrl: requireVar(vars, 'L5D_TESTBED_API_URL'),
    etcdUrl: requireVar(vars, 'L5D_TESTBED_ETCD_URL'),
    binDir,
    pids: {
      etcd: Number(requireVar(vars, 'L5D_TESTBED_ETCD_PID')),
      apiserver: Number(requireVar(vars, 'L5D_TESTBED_APISERVER_PID')),
    },
    env: vars,
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await run('bash', [join(TESTBED_DIR, 'down.sh'), dir], { timeoutMs: 180_000 });
      rmSync(dir, { recursive: true, force: true });
      live.delete(dir);
    },
  };
}
