import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { KubeRequest } from '../../src/kube/client.js';
import { heartbeatCronJob } from '../../src/manifests/install/heartbeat.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import { singleSample } from '../../src/runtime/heartbeat/prometheus.js';
import { collectReport, encodeReport } from '../../src/runtime/heartbeat/report.js';
import { L5D_VERSION } from '../../src/version.js';

const fakeKube = {
  request<T>(req: KubeRequest): Promise<T> {
    const answers: Record<string, unknown> = {
      '/api/v1/namespaces/linkerd/configmaps/linkerd-config': {
        metadata: { uid: 'abc-123', creationTimestamp: '2026-01-02T03:04:05Z' },
      },
      '/version': { gitVersion: 'v1.34.12' },
      '/api/v1/namespaces': { metadata: {}, items: [{ metadata: { labels: { 'linkerd.io/extension': 'viz' } } }] },
      '/apis/linkerd.io/v1alpha2/serviceprofiles': { metadata: {}, items: [{ metadata: {} }, { metadata: {} }] },
    };
    const answer = answers[req.path];
    return answer === undefined ? Promise.reject(new Error('not found')) : Promise.resolve(answer as T);
  },
};

test('the report carries what upstream collects, keys sorted', async () => {
  const report = await collectReport({ kube: fakeKube, controllerNamespace: 'linkerd', warn: () => undefined });
  const query = encodeReport(report);
  const keys = query.split('&').map((kv) => kv.split('=')[0]);
  assert.deepEqual(keys, [...keys].sort());
  const params = new URLSearchParams(query);
  assert.equal(params.get('uuid'), 'abc-123');
  assert.equal(params.get('install-time'), String(Date.UTC(2026, 0, 2, 3, 4, 5) / 1000));
  assert.equal(params.get('k8s-version'), 'v1.34.12');
  assert.equal(params.get('ext-viz'), '1');
  assert.equal(params.get('service-profile-count'), '2');
  assert.equal(params.get('source'), 'heartbeat');
  assert.equal(params.get('version'), L5D_VERSION);
  assert.equal(params.get('total-rps'), null, 'no Prometheus values without a Prometheus to ask');
});

test('Prometheus values: single samples only, integers without decimals, CPU with three', async () => {
  const report = await collectReport({
    kube: fakeKube,
    controllerNamespace: 'linkerd',
    prometheus: (q) =>
      Promise.resolve(
        q.startsWith('count(')
          ? { status: 'success', data: { resultType: 'vector', result: [] } }
          : { status: 'success', data: { resultType: 'vector', result: [{ value: [0, '12.34567'] }] } },
      ),
    warn: () => undefined,
  });
  assert.equal(report.get('total-rps'), '12');
  assert.equal(report.get('p95-cpu-destination'), '12.346');
  assert.equal(report.has('meshed-pods'), false);
  assert.equal(
    singleSample({ status: 'success', data: { resultType: 'vector', result: [{ value: [0, 'NaN'] }] } }),
    undefined,
  );
});

/** A kubeconfig for a plain-HTTP fake API server on `port`; removed by the returned function. */
function fakeKubeconfig(name: string, port: number): { path: string; remove(): void } {
  const path = join(tmpdir(), `l5d-heartbeat-${process.pid}-${name}.kubeconfig`);
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  return { path, remove: () => rmSync(path, { force: true }) };
}

function runHeartbeat(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/runtime/heartbeat/main.ts').then((m) => m.main(${JSON.stringify(args)}))`,
      ],
      { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

test('without a heartbeat URL nothing is sent: the report is logged and the job exits 0', async () => {
  let requests = 0;
  const api = createServer((req, res) => {
    requests++;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  const port = (api.address() as { port: number }).port;
  const kubeconfig = fakeKubeconfig('quiet', port);
  try {
    const { code, out } = await runHeartbeat([`-kubeconfig=${kubeconfig.path}`, '-prometheus-url=http://127.0.0.1:1']);
    assert.equal(code, 0, out);
    assert.match(out, /no heartbeat URL configured; not sending the report: .*source=heartbeat/);
    assert.ok(requests > 0, 'the cluster API was asked');
  } finally {
    kubeconfig.remove();
    api.close();
  }
});

test('with a heartbeat URL the report goes there, and only there', async () => {
  const seen: string[] = [];
  const srv = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(req.url?.startsWith('/hb') ? 200 : 404).end('{}');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const kubeconfig = fakeKubeconfig('send', port);
  try {
    const { code, out } = await runHeartbeat([
      `-kubeconfig=${kubeconfig.path}`,
      `-prometheus-url=http://127.0.0.1:${port}/prom`,
      `-heartbeat-url=http://127.0.0.1:${port}/hb`,
    ]);
    assert.equal(code, 0, out);
    const hb = seen.filter((u) => u.startsWith('/hb'));
    assert.equal(hb.length, 1);
    assert.match(hb[0] ?? '', /source=heartbeat/);
    assert.ok(
      seen.every(
        (u) => u.startsWith('/hb') || u.startsWith('/prom') || u.startsWith('/api') || u.startsWith('/version'),
      ),
      seen.join('\n'),
    );
  } finally {
    kubeconfig.remove();
    srv.close();
  }
});

test('install renders -heartbeat-url only when values heartbeat.url is set', () => {
  const ctx = { namespace: 'linkerd', now: new Date(0), createdBy: 'linkerd/cli test', webhookCerts: {} };
  const args = (values: ReturnType<typeof defaultValues>) =>
    JSON.stringify(heartbeatCronJob(values, ctx)).match(/"-heartbeat-url=[^"]*"/g) ?? [];
  assert.deepEqual(args(defaultValues()), []);
  const values = defaultValues();
  values.heartbeat = { url: 'https://telemetry.example.com/hb' };
  assert.deepEqual(args(values), ['"-heartbeat-url=https://telemetry.example.com/hb"']);
});
