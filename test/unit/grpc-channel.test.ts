// The proxy's gRPC client against raw HTTP/2 servers on loopback that answer the way gRPC servers
// (and broken ones) do: framing across chunk boundaries, trailers and trailers-only statuses, HTTP
// errors, deadlines, cancellation, reconnection and keepalive.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { GrpcChannel, GrpcCode, GrpcError, frameMessage } from '../../src/runtime/clients/grpc-channel.js';
import { generateKeyAndCsr } from '../../src/runtime/clients/identity-client.js';
import { parseCsr } from '../../src/runtime/identity/csr.js';
import { buildIssuer } from '../../src/runtime/identity/issuer.js';
import { DEFAULT_VALIDITY, issueLeaf } from '../../src/runtime/identity/leaf.js';
import { encodePem } from '../../src/util/pem.js';
import { createTestPki } from '../support/identity-pki.js';

type Handler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

interface TestServer {
  address: string;
  server: http2.Http2Server;
  resets: number[];
  close(): Promise<void>;
}

async function serve(handler: Handler): Promise<TestServer> {
  const server = http2.createServer();
  const resets: number[] = [];
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handler(stream, headers, Buffer.concat(chunks)));
    stream.on('close', () => resets.push(stream.rstCode));
    stream.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    server,
    resets,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sessions(server)) s.destroy();
      }),
  };
}

const liveSessions = new WeakMap<http2.Http2Server, Set<http2.ServerHttp2Session>>();
function sessions(server: http2.Http2Server): Set<http2.ServerHttp2Session> {
  let set = liveSessions.get(server);
  if (!set) {
    const created = new Set<http2.ServerHttp2Session>();
    server.on('session', (s) => {
      created.add(s);
      s.once('close', () => created.delete(s));
    });
    liveSessions.set(server, created);
    set = created;
  }
  return set;
}

const GRPC_HEADERS = { ':status': 200, 'content-type': 'application/grpc+proto' };

/** Writes `bytes` in pieces of `size` bytes, then the trailers. */
function answer(stream: http2.ServerHttp2Stream, bytes: Buffer, trailers: http2.OutgoingHttpHeaders, size = 3): void {
  stream.respond(GRPC_HEADERS, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers(trailers));
  for (let i = 0; i < bytes.length; i += size) stream.write(bytes.subarray(i, i + size));
  stream.end();
}

const servers: TestServer[] = [];
const channels: GrpcChannel[] = [];
async function setup(handler: Handler, opts: Partial<ConstructorParameters<typeof GrpcChannel>[0]> = {}) {
  const server = await serve(handler);
  sessions(server.server);
  servers.push(server);
  const channel = new GrpcChannel({ address: server.address, ...opts });
  channels.push(channel);
  return { server, channel };
}
after(async () => {
  for (const c of channels) c.close();
  for (const s of servers) await s.close();
});

async function grpcError(p: Promise<unknown>): Promise<GrpcError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GrpcError, `not a GrpcError: ${String(err)}`);
    return err;
  }
  assert.fail('expected a GrpcError');
}

async function collect(it: AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const m of it) out.push(m.toString());
  return out;
}

describe('GrpcChannel', () => {
  test('sends a framed request with gRPC headers and reads a unary answer split across chunks', async () => {
    let seen: http2.IncomingHttpHeaders = {};
    let body: Buffer = Buffer.alloc(0);
    const { channel } = await setup((stream, headers, b) => {
      seen = headers;
      body = b;
      answer(stream, frameMessage(Buffer.from('pong')), { 'grpc-status': '0' }, 1);
    });
    const res = await channel.unary('/pkg.Svc/Call', Buffer.from('ping'), { timeoutMs: 5000 });
    assert.equal(res.toString(), 'pong');
    assert.equal(seen[':method'], 'POST');
    assert.equal(seen[':path'], '/pkg.Svc/Call');
    assert.equal(seen['content-type'], 'application/grpc+proto');
    assert.equal(seen['te'], 'trailers');
    assert.equal(seen['grpc-timeout'], '5000m');
    assert.deepEqual([...body], [0, 0, 0, 0, 4, ...Buffer.from('ping')]);
  });

  test('streams many messages in order, however the bytes are cut', async () => {
    const messages = Array.from({ length: 50 }, (_, i) => `message-${i}`.repeat(i % 7));
    const { channel } = await setup((stream) =>
      answer(stream, Buffer.concat(messages.map((m) => frameMessage(Buffer.from(m)))), { 'grpc-status': '0' }, 7),
    );
    assert.deepEqual(await collect(channel.serverStream('/s/Watch', Buffer.alloc(0))), messages);
  });

  test('reports the status of a trailers-only answer with its percent-decoded message', async () => {
    const { channel } = await setup((stream) =>
      stream.respond(
        { ...GRPC_HEADERS, 'grpc-status': '3', 'grpc-message': 'bad%20token%3A%20%E2%9C%97' },
        { endStream: true },
      ),
    );
    const err = await grpcError(channel.unary('/s/Call', Buffer.alloc(0)));
    assert.equal(err.code, GrpcCode.INVALID_ARGUMENT);
    assert.equal(err.message, 'bad token: ✗');
  });

  test('yields the messages before a failing status, then throws it', async () => {
    const { channel } = await setup((stream) =>
      answer(stream, frameMessage(Buffer.from('one')), { 'grpc-status': '14', 'grpc-message': 'going away' }),
    );
    const got: string[] = [];
    const err = await grpcError(
      (async () => {
        for await (const m of channel.serverStream('/s/Watch', Buffer.alloc(0))) got.push(m.toString());
      })(),
    );
    assert.deepEqual(got, ['one']);
    assert.equal(err.code, GrpcCode.UNAVAILABLE);
    assert.equal(err.message, 'going away');
  });

  test('maps HTTP errors, foreign content types, missing trailers and broken frames to gRPC codes', async () => {
    const cases: Array<[string, Handler, number]> = [
      ['503', (s) => s.respond({ ':status': 503 }, { endStream: true }), GrpcCode.UNAVAILABLE],
      ['404', (s) => s.respond({ ':status': 404 }, { endStream: true }), GrpcCode.UNIMPLEMENTED],
      [
        'html',
        (s) => {
          s.respond({ ':status': 200, 'content-type': 'text/html' });
          s.end('<html>');
        },
        GrpcCode.UNKNOWN,
      ],
      [
        'no trailers',
        (s) => {
          s.respond(GRPC_HEADERS);
          s.end(frameMessage(Buffer.from('x')));
        },
        GrpcCode.INTERNAL,
      ],
      [
        'truncated',
        (s) => answer(s, frameMessage(Buffer.from('abcdef')).subarray(0, 8), { 'grpc-status': '0' }),
        GrpcCode.INTERNAL,
      ],
      ['compressed', (s) => answer(s, Buffer.from([1, 0, 0, 0, 1, 9]), { 'grpc-status': '0' }), GrpcCode.INTERNAL],
      [
        'two answers',
        (s) =>
          answer(s, Buffer.concat([frameMessage(Buffer.from('a')), frameMessage(Buffer.from('b'))]), {
            'grpc-status': '0',
          }),
        GrpcCode.INTERNAL,
      ],
      ['no answer', (s) => answer(s, Buffer.alloc(0), { 'grpc-status': '0' }), GrpcCode.INTERNAL],
      ['reset', (s) => s.close(http2.constants.NGHTTP2_REFUSED_STREAM), GrpcCode.UNAVAILABLE],
    ];
    for (const [name, handler, code] of cases) {
      const { channel } = await setup(handler);
      assert.equal((await grpcError(channel.unary('/s/Call', Buffer.alloc(0)))).code, code, name);
    }
  });

  test('refuses a message over the size limit', async () => {
    const { channel } = await setup((s) => answer(s, frameMessage(Buffer.alloc(2048)), { 'grpc-status': '0' }), {
      maxMessageBytes: 1024,
    });
    assert.equal((await grpcError(channel.unary('/s/Call', Buffer.alloc(0)))).code, GrpcCode.RESOURCE_EXHAUSTED);
  });

  test('ends a call at its deadline and cancels it on abort, resetting the stream', async () => {
    const { channel, server } = await setup((stream) => stream.respond(GRPC_HEADERS));
    const started = Date.now();
    const err = await grpcError(channel.unary('/s/Slow', Buffer.alloc(0), { timeoutMs: 150 }));
    assert.equal(err.code, GrpcCode.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 2000);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    assert.equal(
      (await grpcError(collect(channel.serverStream('/s/Watch', Buffer.alloc(0), { signal: abort.signal })))).code,
      GrpcCode.CANCELLED,
    );
    await waitFor(() => server.resets.filter((c) => c === http2.constants.NGHTTP2_CANCEL).length === 2);
  });

  test('resets the stream when the consumer stops reading', async () => {
    const { channel, server } = await setup((stream) => {
      stream.respond(GRPC_HEADERS);
      stream.write(frameMessage(Buffer.from('first')));
    });
    for await (const m of channel.serverStream('/s/Watch', Buffer.alloc(0))) {
      assert.equal(m.toString(), 'first');
      break;
    }
    await waitFor(() => server.resets.includes(http2.constants.NGHTTP2_CANCEL));
  });

  test('reports UNAVAILABLE when nothing listens, and reconnects after the server went away', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const refused = new GrpcChannel({ address: `127.0.0.1:${port}` });
    assert.equal((await grpcError(refused.unary('/s/Call', Buffer.alloc(0)))).code, GrpcCode.UNAVAILABLE);
    refused.close();

    const { channel, server } = await setup((s) => answer(s, frameMessage(Buffer.from('ok')), { 'grpc-status': '0' }));
    assert.equal((await channel.unary('/s/Call', Buffer.alloc(0))).toString(), 'ok');
    for (const s of sessions(server.server)) s.close();
    await waitFor(() => sessions(server.server).size === 0);
    assert.equal((await channel.unary('/s/Call', Buffer.alloc(0))).toString(), 'ok');
  });

  test('finishes a call on a connection that went away while new calls take a new one', async () => {
    let release = (): void => undefined;
    const { channel, server } = await setup((stream, headers) => {
      const reply = (): void =>
        answer(stream, frameMessage(Buffer.from(String(headers[':path']))), { 'grpc-status': '0' });
      if (headers[':path'] === '/s/Slow') release = reply;
      else reply();
    });
    const slow = channel.unary('/s/Slow', Buffer.alloc(0));
    await waitFor(() => sessions(server.server).size === 1 && release.name === 'reply');
    const [first] = sessions(server.server);
    first?.close(); // GOAWAY; the open stream may still finish
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await channel.unary('/s/Fast', Buffer.alloc(0))).toString(), '/s/Fast');
    assert.equal(sessions(server.server).size, 2);
    release();
    assert.equal((await slow).toString(), '/s/Slow');
    await waitFor(() => sessions(server.server).size === 1);
  });

  test('drops a connection whose keepalive PING goes unanswered, failing its calls as UNAVAILABLE', async () => {
    const { server } = await setup((stream) => {
      stream.respond(GRPC_HEADERS);
      stream.write(frameMessage(Buffer.from('first')));
    });
    // A TCP relay that can go silent, as a dead peer or a dropped route would.
    let silent = false;
    const relay = net.createServer((down) => {
      const up = net.connect(Number(server.address.split(':')[1]), '127.0.0.1');
      down.on('data', (d) => silent || up.write(d));
      up.on('data', (d) => silent || down.write(d));
      for (const s of [up, down]) s.on('error', () => undefined);
      down.on('close', () => up.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const channel = new GrpcChannel({
      address: `127.0.0.1:${(relay.address() as net.AddressInfo).port}`,
      pingIntervalMs: 100,
      pingTimeoutMs: 200,
    });
    try {
      const started = Date.now();
      const err = await grpcError(
        (async () => {
          for await (const m of channel.serverStream('/s/Watch', Buffer.alloc(0))) {
            assert.equal(m.toString(), 'first');
            silent = true;
          }
        })(),
      );
      assert.equal(err.code, GrpcCode.UNAVAILABLE);
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    } finally {
      channel.close();
      relay.close();
    }
  });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('GrpcChannel over TLS', () => {
  const NAME = 'linkerd-destination.linkerd.serviceaccount.identity.linkerd.cluster.local';

  test('verifies the server against the trust anchors and the expected identity (TLS 1.3, ALPN h2)', async () => {
    const pki = await createTestPki();
    const issuer = await buildIssuer(pki.issuerCertPem, pki.issuerKeyPem, [pki.anchor], 'cluster.local', new Date());
    const key = await generateKeyAndCsr(NAME);
    const leaf = await issueLeaf(issuer, await parseCsr(key.csrDer), NAME, DEFAULT_VALIDITY);
    let protocol: string | undefined;
    const server = http2.createSecureServer({
      key: key.keyPem,
      cert: encodePem('CERTIFICATE', leaf.der) + pki.issuerCertPem,
      minVersion: 'TLSv1.3',
    });
    server.on('stream', (stream) => {
      protocol =
        (stream.session?.socket as { getProtocol?: () => string | null } | undefined)?.getProtocol?.() ?? undefined;
      answer(stream, frameMessage(Buffer.from('secure')), { 'grpc-status': '0' });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const other = await createTestPki();
    const channels = [
      new GrpcChannel({ address, tls: { ca: pki.anchorPem, serverName: NAME } }),
      new GrpcChannel({ address, tls: { ca: pki.anchorPem, serverName: NAME.replace('destination', 'identity') } }),
      new GrpcChannel({ address, tls: { ca: other.anchorPem, serverName: NAME } }),
    ];
    try {
      assert.equal((await channels[0]!.unary('/s/Call', Buffer.alloc(0))).toString(), 'secure');
      assert.equal(protocol, 'TLSv1.3');
      for (const refused of channels.slice(1)) {
        assert.equal((await grpcError(refused.unary('/s/Call', Buffer.alloc(0)))).code, GrpcCode.UNAVAILABLE);
      }
    } finally {
      for (const c of channels) c.close();
      server.close();
    }
  });
});
