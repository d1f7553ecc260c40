// The control plane as real pods on the test bed's node: l5d's own images built and imported into
// containerd, `l5d install --crds | kubectl apply` and `l5d install | kubectl apply`, every
// control-plane pod Ready with its proxy certified by the identity controller running in the
// cluster, `l5d check` and `l5d version`, a workload injected by the proxy-injector webhook, and
// `kubectl logs`/`exec`/`port-forward` on those pods. Nothing of the node is left afterwards.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { buildImages } from '../support/images.js';
import { nodeLeftovers, podProcesses } from '../support/node-leftovers.js';
import { portForward } from '../support/port-forward.js';
import { kubectl, REPO_ROOT, run, startTestbed, type Testbed } from '../support/testbed.js';

const CLI = join(REPO_ROOT, 'bin', 'run.js');
// Offline, the version checks warn; they are the only checks allowed to.
const VERSION_CHECK = /up-to-date|latest version/;

interface CheckJson {
  success: boolean;
  categories: Array<{ categoryName: string; checks: Array<{ description: string; result: string; error?: string }> }>;
}

const seconds = (fromMs: number): string => `${((Date.now() - fromMs) / 1000).toFixed(1)} s`;

describe('the control plane on a real node', { timeout: 1_500_000 }, () => {
  let tb: Testbed;
  const timings: Record<string, string> = {};
  // The version check must not reach the internet: a closed local port makes it warn.
  let closedUrl = '';
  const cliEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    KUBECONFIG: tb.adminKubeconfig,
    L5D_VERSION_CHECK_URL: closedUrl,
    NO_COLOR: '1',
  });
  const l5d = (args: string[], timeoutMs = 120_000) =>
    run(process.execPath, [CLI, ...args], { env: cliEnv(), timeoutMs });
  const k = (args: string[], stdin?: string, timeoutMs = 120_000) =>
    kubectl(args, { kubeconfig: tb.adminKubeconfig, timeoutMs, ...(stdin === undefined ? {} : { stdin }) });
  const apply = async (manifest: string) => k(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest);

  before(async () => {
    closedUrl = `http://127.0.0.1:${await closedPort()}/l5d`;
    let t = Date.now();
    const images = await buildImages();
    timings['image build'] = seconds(t);
    t = Date.now();
    tb = await startTestbed({ node: { images: images.dir }, timeoutSeconds: 180 });
    timings['node start (incl. image import)'] = seconds(t);
  });

  after(async () => {
    const dir = tb?.dir;
    await tb?.stop();
    if (dir !== undefined) {
      const left = await nodeLeftovers(dir);
      assert.deepEqual(left, [], `left behind by the node: ${left.join('; ')}`);
    }
    for (const [what, time] of Object.entries(timings)) console.log(`# ${what}: ${time}`);
  });

  test('install brings every control-plane pod to Ready, each proxy certified in the cluster', async () => {
    const t = Date.now();
    await apply((await l5d(['install', '--crds', '--set', 'installGatewayAPI=true'])).stdout);
    await apply((await l5d(['install'])).stdout);
    await k(
      ['wait', '-n', 'linkerd', '--for=condition=Available', 'deploy', '--all', '--timeout=480s'],
      undefined,
      500_000,
    );
    await k(['wait', '-n', 'linkerd', '--for=condition=Ready', 'pod', '--all', '--timeout=120s'], undefined, 150_000);
    timings['install → ready'] = seconds(t);
    const pods = JSON.parse((await k(['get', 'pods', '-n', 'linkerd', '-o', 'json'])).stdout) as {
      items: Array<{
        metadata: { name: string };
        status: { containerStatuses: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
      }>;
    };
    const components = pods.items.map((p) => p.metadata.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, '')).sort();
    assert.deepEqual(components, ['linkerd-destination', 'linkerd-identity', 'linkerd-proxy-injector']);
    for (const pod of pods.items) {
      // The proxy is a native sidecar (an init container that keeps running) by default.
      const statuses = [...pod.status.containerStatuses, ...(pod.status.initContainerStatuses ?? [])];
      const proxy = statuses.find((c) => c.name === 'linkerd-proxy');
      assert.ok(proxy?.ready, `${pod.metadata.name}: linkerd-proxy is not ready`);
      assert.match(proxy.image, /ghcr\.io\/l5d\/proxy:/);
      const logs = (await k(['logs', '-n', 'linkerd', pod.metadata.name, '-c', 'linkerd-proxy'])).stdout;
      assert.match(logs, /Certified identity/, `${pod.metadata.name}: the proxy logged no certificate`);
    }
    const cronjobs = JSON.parse((await k(['get', 'cronjob', '-n', 'linkerd', '-o', 'json'])).stdout) as {
      items: Array<{ metadata: { name: string } }>;
    };
    assert.deepEqual(
      cronjobs.items.map((c) => c.metadata.name),
      ['linkerd-heartbeat'],
    );
  });

  test('a job from the heartbeat CronJob completes and sends nothing without a configured URL', async () => {
    // Not `kubectl create job --from`: that Job is the CronJob's, whose successfulJobsHistoryLimit
    // of 0 deletes it (and its logs) as soon as it completes.
    const cronjob = JSON.parse(
      (await k(['get', 'cronjob', '-n', 'linkerd', 'linkerd-heartbeat', '-o', 'json'])).stdout,
    ) as {
      spec: { jobTemplate: { spec: unknown } };
    };
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'heartbeat-now', namespace: 'linkerd' },
      spec: cronjob.spec.jobTemplate.spec,
    };
    await k(['create', '-f', '-'], JSON.stringify(job));
    await k(
      ['wait', '-n', 'linkerd', '--for=condition=Complete', 'job/heartbeat-now', '--timeout=120s'],
      undefined,
      150_000,
    );
    const logs = (await k(['logs', '-n', 'linkerd', 'job/heartbeat-now'])).stdout;
    assert.match(logs, /no heartbeat URL configured; not sending the report: .*install-time=/);
    await k(['delete', 'job', '-n', 'linkerd', 'heartbeat-now', '--wait=false']);
  });

  test('l5d check passes every category but the offline version checks', async () => {
    const r = await run(process.execPath, [CLI, 'check', '-o', 'json'], {
      env: cliEnv(),
      timeoutMs: 300_000,
      allowFailure: true,
    });
    const doc = JSON.parse(r.stdout) as CheckJson;
    const bad = doc.categories.flatMap((c) =>
      c.checks
        .filter((x) => x.result !== 'success' && !(VERSION_CHECK.test(x.description) && x.result === 'warning'))
        .map((x) => `${c.categoryName}: ${x.description}: ${x.result} ${x.error ?? ''}`),
    );
    assert.deepEqual(bad, []);
    for (const name of [
      'kubernetes-api',
      'kubernetes-version',
      'linkerd-existence',
      'linkerd-config',
      'linkerd-identity',
      'linkerd-webhooks-and-apisvc-tls',
      'linkerd-control-plane-proxy',
    ]) {
      assert.ok(
        doc.categories.some((c) => c.categoryName === name),
        `no ${name} category`,
      );
    }
  });

  test('l5d version prints the server version and --proxy the control-plane proxies', async () => {
    const v = (await l5d(['version'])).stdout;
    assert.match(v, /^Server version: \S+$/m);
    assert.doesNotMatch(v, /Server version: unavailable/);
    const p = (await l5d(['version', '--proxy', '-n', 'linkerd'])).stdout;
    const version = l5dVersion().replaceAll('.', '\\.');
    assert.match(p, new RegExp(`^Proxy versions:\\n\\t${version} \\(3 pods\\)$`, 'm'));
  });

  test('a Deployment in an annotated namespace is injected by the webhook, certified and ready', async () => {
    await apply(`apiVersion: v1
kind: Namespace
metadata:
  name: meshed
  annotations: {linkerd.io/inject: enabled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello, namespace: meshed}
spec:
  replicas: 1
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers:
      - name: hello
        image: ${l5dImage('controller')}
        imagePullPolicy: IfNotPresent
        command: [node, -e, "require('node:http').createServer((q, s) => s.end('hello\\\\n')).listen(8080)"]
        ports: [{containerPort: 8080, name: http}]
`);
    await k(['rollout', 'status', '-n', 'meshed', 'deploy/hello', '--timeout=180s'], undefined, 200_000);
    const pod = (await k(['get', 'pod', '-n', 'meshed', '-l', 'app=hello', '-o', 'jsonpath={.items[0].metadata.name}']))
      .stdout;
    const spec = JSON.parse((await k(['get', 'pod', '-n', 'meshed', pod, '-o', 'json'])).stdout) as {
      metadata: { annotations: Record<string, string> };
      spec: { containers: Array<{ name: string }>; initContainers?: Array<{ name: string }> };
    };
    const all = [...spec.spec.containers, ...(spec.spec.initContainers ?? [])];
    assert.ok(
      all.some((c) => c.name === 'linkerd-proxy'),
      'the webhook added no proxy',
    );
    assert.ok(
      spec.spec.initContainers?.some((c) => c.name === 'linkerd-init'),
      'the webhook added no linkerd-init',
    );
    assert.ok(spec.metadata.annotations['linkerd.io/proxy-version'], 'no proxy-version annotation');

    // kubectl exec and logs reach the pod through the kubelet.
    const hostname = (
      await k(['exec', '-n', 'meshed', pod, '-c', 'hello', '--', 'node', '-e', 'console.log(require("os").hostname())'])
    ).stdout;
    assert.equal(hostname.trim(), pod);
    assert.match((await k(['logs', '-n', 'meshed', pod, '-c', 'linkerd-proxy'])).stdout, /Certified identity/);

    // port-forward reaches the proxy's admin port.
    const fwd = await portForward(tb.adminKubeconfig, 'meshed', pod, 4191);
    try {
      const ready = await fetch(`http://127.0.0.1:${fwd.localPort}/ready`);
      assert.equal(ready.status, 200);
      const metrics = await (await fetch(`http://127.0.0.1:${fwd.localPort}/metrics`)).text();
      assert.match(metrics, /identity_cert_expiration_timestamp_seconds/);
    } finally {
      fwd.close();
    }
  });

  test('the cluster reports its size', async () => {
    const rss = readProcessesRss(tb.dir);
    timings['cluster RSS (host processes + pods)'] = `${(rss / 1024).toFixed(0)} MiB`;
    assert.ok(rss > 0);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

interface ContainerStatus {
  name: string;
  ready: boolean;
  image: string;
}

function l5dVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { l5d: { version: string } }).l5d
    .version;
}

function l5dImage(name: string): string {
  return `ghcr.io/l5d/${name}:${l5dVersion()}`;
}

/** KiB of resident memory of the test bed's processes and every process in the node's pods. */
function readProcessesRss(dir: string): number {
  const pids = new Set<number>();
  for (const f of [
    'etcd',
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
    'kubelet',
    'kube-proxy',
    'coredns',
    'containerd',
  ]) {
    const p = join(dir, 'pids', `${f}.pid`);
    if (existsSync(p)) pids.add(Number(readFileSync(p, 'utf8')));
  }
  for (const pid of podProcesses()) pids.add(pid);
  let kib = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kib += Number(m?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kib;
}
