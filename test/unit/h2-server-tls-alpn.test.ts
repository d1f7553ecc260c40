// HTTP/2 inside TLS that negotiated no ALPN (a control-plane client reaching a meshed controller,
// or any prior-knowledge h2 client) is served as HTTP/2, not refused as HTTP/1.1.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import tls from 'node:tls';
import { LazyH2Server } from '../../src/runtime/proxy/http/h2-server.js';

const dir = mkdtempSync(join(tmpdir(), 'l5d-h2-alpn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a TLS session without ALPN whose preface is HTTP/2 gets its streams served', async () => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      '/CN=server.test',
      '-addext',
      'subjectAltName=DNS:server.test',
    ],
    { stdio: 'ignore' },
  );
  const [key, cert] = [readFileSync(join(dir, 'key.pem')), readFileSync(join(dir, 'cert.pem'))];
  const seen: string[] = [];
  const h2 = new LazyH2Server<string>(async (_rt, stream, headers, conn) => {
    seen.push(`${conn} ${headers[':path']}`);
    stream.respond({ ':status': 200 });
    stream.end('served');
  });
  // No ALPNProtocols: the client's offer of h2 is not taken up, as in the proxy's inbound.
  const server = tls.createServer({ key, cert }, (socket) => void h2.serve(socket, 'conn-1'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const client = http2.connect(`https://127.0.0.1:${port}`, { ca: cert, servername: 'server.test' });
  try {
    const body = await new Promise<string>((resolve, reject) => {
      const req = client.request({ ':path': '/io.linkerd.proxy.identity.Identity/Certify' });
      let data = '';
      req.on('data', (b: Buffer) => (data += b.toString()));
      req.on('end', () => resolve(data));
      req.on('error', reject);
      req.end();
    });
    assert.equal(body, 'served');
    assert.deepEqual(seen, ['conn-1 /io.linkerd.proxy.identity.Identity/Certify']);
  } finally {
    client.close();
    h2.drain();
    server.close();
  }
});
