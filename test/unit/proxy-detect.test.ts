import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectHttp } from '../../src/runtime/proxy/protocol/detect-http.js';
import { parseClientHello } from '../../src/runtime/proxy/protocol/client-hello.js';
import tls from 'node:tls';
import net from 'node:net';

test('HTTP detection: HTTP/2 preface, HTTP/1 request lines (partial too), everything else', () => {
  assert.equal(detectHttp(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')), 'h2');
  assert.equal(detectHttp(Buffer.from('GET / HTTP/1.1\r\nhost: x\r\n\r\n')), 'http1');
  assert.equal(detectHttp(Buffer.from('POST /very/long/path?with=query')), 'http1');
  assert.equal(detectHttp(Buffer.from('DELETE /x HTTP/1.')), 'http1');
  assert.equal(detectHttp(Buffer.from('GET / HTTP/2.0\r\n\r\n')), 'not_http');
  assert.equal(detectHttp(Buffer.from('GET /')), 'not_http', 'fewer than 14 bytes');
  assert.equal(detectHttp(Buffer.from('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03abcdef')), 'not_http');
  assert.equal(detectHttp(Buffer.from('SSH-2.0-OpenSSH_9.2p1\r\n')), 'not_http');
  assert.equal(detectHttp(Buffer.from('HELLO WORLD FROM REDIS')), 'not_http');
});

async function captureClientHello(servername: string | undefined): Promise<Buffer> {
  return new Promise((resolve) => {
    const server = net.createServer((s) => {
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
        server.close();
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      const c = tls.connect({
        host: '127.0.0.1',
        port,
        ...(servername ? { servername } : {}),
        rejectUnauthorized: false,
      });
      c.on('error', () => undefined);
    });
  });
}

test('a real ClientHello yields its SNI; truncated ones are incomplete; other bytes are not TLS', async () => {
  const hello = await captureClientHello('web.emojivoto.serviceaccount.identity.linkerd.cluster.local');
  assert.deepEqual(parseClientHello(hello), {
    kind: 'client_hello',
    sni: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local',
  });
  assert.deepEqual(parseClientHello(hello.subarray(0, 40)), { kind: 'incomplete' });
  const anonymous = await captureClientHello(undefined);
  assert.deepEqual(parseClientHello(anonymous), { kind: 'client_hello', sni: undefined });
  assert.deepEqual(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')), { kind: 'not_tls' });
});
