import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { handleAdmin } from '../../src/runtime/proxy/admin/admin.js';
import { Logger, parseLogFilter } from '../../src/runtime/proxy/log.js';

async function withAdmin(
  opts: { ready: boolean; shutdownEnabled: boolean },
  fn: (base: string, state: { shutdowns: number; log: Logger }) => Promise<void>,
): Promise<void> {
  const state = { shutdowns: 0, log: new Logger('warn,linkerd=info', 'plain', () => undefined) };
  const server = http.createServer(
    handleAdmin({
      isReady: () => opts.ready,
      renderMetrics: () => '# HELP x y\n# TYPE x counter\nx 1\n',
      log: state.log,
      env: { LINKERD2_PROXY_LOG: 'warn', HOSTNAME: 'web-1' },
      shutdownEnabled: opts.shutdownEnabled,
      shutdown: () => state.shutdowns++,
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, state);
  } finally {
    server.close();
  }
}

test('/live, /ready (503 until certified) and unknown paths', async () => {
  await withAdmin({ ready: false, shutdownEnabled: false }, async (base) => {
    assert.equal(await (await fetch(`${base}/live`)).text(), 'live\n');
    const notReady = await fetch(`${base}/ready`);
    assert.equal(notReady.status, 503);
    assert.equal(await notReady.text(), 'not ready\n');
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });
  await withAdmin({ ready: true, shutdownEnabled: false }, async (base) => {
    const ready = await fetch(`${base}/ready`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ready\n');
  });
});

test('/metrics, gzip on request', async () => {
  await withAdmin({ ready: true, shutdownEnabled: false }, async (base) => {
    const plain = await fetch(`${base}/metrics`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(await plain.text(), '# HELP x y\n# TYPE x counter\nx 1\n');
    const gz = await new Promise<{ enc: string | undefined; body: Buffer }>((resolve) => {
      http.get(`${base}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ enc: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      });
    });
    assert.equal(gz.enc, 'gzip');
    assert.match(gunzipSync(gz.body).toString(), /^x 1$/m);
  });
});

test('/env.json: all, selected keys with null for unset, 400 on key=value, 406 and 405', async () => {
  await withAdmin({ ready: true, shutdownEnabled: false }, async (base) => {
    assert.deepEqual(await (await fetch(`${base}/env.json`)).json(), { LINKERD2_PROXY_LOG: 'warn', HOSTNAME: 'web-1' });
    assert.deepEqual(await (await fetch(`${base}/env.json?HOSTNAME&MISSING`)).json(), {
      HOSTNAME: 'web-1',
      MISSING: null,
    });
    assert.equal((await fetch(`${base}/env.json?A=b`)).status, 400);
    assert.equal((await fetch(`${base}/env.json`, { headers: { accept: 'text/html' } })).status, 406);
    assert.equal((await fetch(`${base}/env.json`, { method: 'POST' })).status, 405);
  });
});

test('/proxy-log-level GET/PUT and /shutdown', async () => {
  await withAdmin({ ready: true, shutdownEnabled: false }, async (base, state) => {
    assert.equal(await (await fetch(`${base}/proxy-log-level`)).text(), 'warn,linkerd=info');
    assert.equal((await fetch(`${base}/proxy-log-level`, { method: 'PUT', body: 'linkerd=debug' })).status, 204);
    assert.equal(state.log.filter, 'linkerd=debug');
    const bad = await fetch(`${base}/proxy-log-level`, { method: 'PUT', body: 'linkerd=loud' });
    assert.equal(bad.status, 400);
    assert.equal((await fetch(`${base}/proxy-log-level`, { method: 'DELETE' })).headers.get('allow'), 'GET, PUT');
    const disabled = await fetch(`${base}/shutdown`, { method: 'POST' });
    assert.equal(disabled.status, 404);
    assert.equal(await disabled.text(), 'shutdown endpoint is not enabled\n');
    assert.equal((await fetch(`${base}/shutdown`)).status, 405);
  });
  await withAdmin({ ready: true, shutdownEnabled: true }, async (base, state) => {
    const r = await fetch(`${base}/shutdown`, { method: 'POST' });
    assert.equal(await r.text(), 'shutdown\n');
    assert.equal(state.shutdowns, 1);
  });
});

test('log filters: the linkerd directive wins, else the default; plain lines carry uptime and level', () => {
  assert.equal(parseLogFilter('warn,linkerd=info,hickory=error'), 'info');
  assert.equal(parseLogFilter('debug'), 'debug');
  assert.equal(parseLogFilter('off'), 'off');
  assert.equal(parseLogFilter('warn,linkerd=info,[{headers}]=off,[{request}]=off'), 'info');
  assert.throws(() => parseLogFilter('linkerd=loud'), /invalid log level/);
  const lines: string[] = [];
  const log = new Logger('warn,linkerd=info', 'plain', (l) => lines.push(l));
  log.debug('linkerd_app', 'hidden');
  log.info('linkerd_app', 'Certified identity', { id: 'web.ns' });
  assert.equal(lines.length, 1);
  assert.match(
    lines[0] ?? '',
    /^\[ {5}\d\.\d{6}s\] {2}INFO ThreadId\(01\) linkerd_app: Certified identity id=web\.ns\n$/,
  );
  const json: string[] = [];
  new Logger('info', 'json', (l) => json.push(l)).warn('linkerd_app', 'w');
  assert.equal(JSON.parse(json[0] ?? '{}').level, 'WARN');
});
