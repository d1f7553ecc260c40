// The proxy's HTTP/1 servers bound what a client may hold: headers that trickle in (slowloris) are
// cut off, idle kept-alive connections closed, oversized headers refused. Connections are handed
// to the server with emit('connection'), as the proxy's listeners do after detection.
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { H1_SERVER_LIMITS, createProxyH1Server } from '../../src/runtime/proxy/http/h1-server.js';

const LIMITS = { headersTimeoutMs: 400, idleTimeoutMs: 400, maxHeaderBytes: 4096, checkIntervalMs: 50 };

describe('proxy HTTP/1 server limits', () => {
  const h1 = createProxyH1Server((_req, res) => res.end('ok'), LIMITS);
  const listener = net.createServer((socket) => h1.emit('connection', socket));
  let port = 0;
  before(async () => {
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    port = (listener.address() as AddressInfo).port;
  });
  after(() => {
    listener.close();
    h1.close();
  });

  /** Connects, runs `drive`, and resolves with what the server sent and when it closed (ms). */
  function session(drive: (s: net.Socket) => void): Promise<{ data: string; closedAfterMs: number }> {
    return new Promise((resolve) => {
      const started = performance.now();
      const s = net.connect(port, '127.0.0.1', () => drive(s));
      let data = '';
      s.on('data', (b: Buffer) => (data += b.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve({ data, closedAfterMs: performance.now() - started }));
    });
  }

  test('the defaults are finite', () => {
    for (const [k, v] of Object.entries(H1_SERVER_LIMITS)) assert.ok(v > 0 && Number.isFinite(v), k);
  });

  test('headers that trickle in are cut off at the header deadline', async () => {
    let timer: NodeJS.Timeout | undefined;
    const r = await session((s) => {
      s.write('GET / HTTP/1.1\r\nHost: x\r\n');
      timer = setInterval(() => s.writable && s.write('X-Slow: 1\r\n'), 50);
    });
    clearInterval(timer);
    assert.match(r.data, /^HTTP\/1\.1 408/);
    assert.ok(r.closedAfterMs < LIMITS.headersTimeoutMs + 1_000, `closed after ${r.closedAfterMs} ms`);
  });

  test('an idle kept-alive connection is closed after the idle timeout', async () => {
    const r = await session((s) => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.match(r.data, /^HTTP\/1\.1 200/);
    // node:http adds up to a second of slack to the keep-alive timeout.
    assert.ok(
      r.closedAfterMs >= LIMITS.idleTimeoutMs - 50 && r.closedAfterMs < LIMITS.idleTimeoutMs + 2_000,
      `${r.closedAfterMs} ms`,
    );
  });

  test('oversized headers are refused with 431', async () => {
    const r = await session((s) => s.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8192)}\r\n\r\n`));
    assert.match(r.data, /^HTTP\/1\.1 431/);
  });
});
