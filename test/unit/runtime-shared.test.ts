import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { Registry, Counter } from 'prom-client';
import { startAdminServer } from '../../src/runtime/shared/admin.js';
import { parseListenAddress } from '../../src/runtime/shared/listen.js';
import { createLogger, renderPlain } from '../../src/runtime/shared/log.js';

test('admin server: /ping, /ready, /metrics, 404', async () => {
  const registry = new Registry();
  new Counter({ name: 'probe_total', help: 'x', registers: [registry] }).inc();
  const admin = await startAdminServer('127.0.0.1:0', registry);
  const base = `http://127.0.0.1:${admin.address.port}`;
  try {
    const ping = await fetch(`${base}/ping`);
    assert.deepEqual([ping.status, await ping.text()], [200, 'pong\n']);
    const notReady = await fetch(`${base}/ready`);
    assert.deepEqual([notReady.status, await notReady.text()], [500, 'not ready\n']);
    admin.setReady(true);
    const ready = await fetch(`${base}/ready`);
    assert.deepEqual([ready.status, await ready.text()], [200, 'ok\n']);
    assert.match(await (await fetch(`${base}/metrics`)).text(), /^probe_total 1$/m);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  } finally {
    await admin.close();
  }
});

test('listen addresses', () => {
  assert.deepEqual(parseListenAddress(':8086'), { host: '', port: 8086 });
  assert.deepEqual(parseListenAddress('[::]:9990'), { host: '::', port: 9990 });
  assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.throws(() => parseListenAddress('8086'));
});

function sink(): { stream: Writable; lines: () => string[] } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _e, done) {
        text += chunk.toString();
        done();
      },
    }),
    lines: () => text.trim().split('\n'),
  };
}

test('plain and json log formats and levels', async () => {
  const plain = sink();
  const log = createLogger({ component: 'identity', level: 'info', format: 'plain', destination: plain.stream });
  log.debug('hidden');
  log.info({ ttl_seconds: 5 }, 'Issuer cert loaded');
  await new Promise((r) => setImmediate(r));
  const [line] = plain.lines();
  assert.match(line ?? '', /^time="[^"]+" level=info msg="Issuer cert loaded" component=identity ttl_seconds=5$/);
  const json = sink();
  const jlog = createLogger({ component: 'destination', level: 'debug', format: 'json', destination: json.stream });
  jlog.debug('shown');
  await new Promise((r) => setImmediate(r));
  const rec = JSON.parse(json.lines()[0] ?? '{}') as Record<string, unknown>;
  assert.equal(rec.msg, 'shown');
  assert.equal(rec.component, 'destination');
  assert.throws(() => createLogger({ component: 'x', level: 'loud', format: 'plain' }), /invalid log-level: loud/);
  assert.throws(() => createLogger({ component: 'x', level: 'info', format: 'xml' }), /invalid log-format: xml/);
  assert.equal(renderPlain({ time: 't', level: 50, msg: 'boom' }), 'time="t" level=error msg=boom');
});
