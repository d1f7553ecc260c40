import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { create } from '@bufbuild/protobuf';
import { Registry } from 'prom-client';
import { CertifyResponseSchema, Identity } from '../../src/proto/gen/identity_pb.js';
import { GRPC_LIMITS, startGrpcServer, type GrpcServer } from '../../src/runtime/shared/grpc-server.js';
import { connectTransport } from '../support/connect-transport.js';

async function withServer(
  fn: (server: GrpcServer) => Promise<void>,
  limits: Partial<typeof GRPC_LIMITS> = {},
  certify: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const server = await startGrpcServer(
    '127.0.0.1:0',
    (router) =>
      router.service(Identity, {
        certify: async () => {
          await certify();
          return create(CertifyResponseSchema, {});
        },
      }),
    new Registry(),
    limits,
  );
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

async function code(p: Promise<unknown>): Promise<Code | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return ConnectError.from(err).code;
  }
}

test('messages over 4 MiB are refused with RESOURCE_EXHAUSTED, as upstream gRPC does', async () => {
  await withServer(async (server) => {
    const client = createClient(Identity, connectTransport(`127.0.0.1:${server.address.port}`));
    const big = new Uint8Array(GRPC_LIMITS.maxMessageBytes + 1);
    assert.equal(await code(client.certify({ identity: 'x', token: big })), Code.ResourceExhausted);
    assert.equal(await code(client.certify({ identity: 'x', token: new Uint8Array(1024) })), 'ok');
  });
});

test('each connection advertises a bounded number of concurrent streams', async () => {
  await withServer(async (server) => {
    const session = connect(`http://127.0.0.1:${server.address.port}`);
    try {
      await new Promise<void>((resolve) => session.once('remoteSettings', () => resolve()));
      assert.equal(session.remoteSettings.maxConcurrentStreams, GRPC_LIMITS.maxConcurrentStreams);
    } finally {
      session.close();
    }
  });
});

test('streams over the server-wide cap are refused with RESOURCE_EXHAUSTED', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await withServer(
    async (server) => {
      const transport = connectTransport(`127.0.0.1:${server.address.port}`);
      const client = createClient(Identity, transport);
      const first = client.certify({ identity: 'a' });
      const second = client.certify({ identity: 'b' });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await code(client.certify({ identity: 'c' })), Code.ResourceExhausted);
      release();
      assert.deepEqual(await Promise.all([code(first), code(second)]), ['ok', 'ok']);
      assert.equal(await code(client.certify({ identity: 'd' })), 'ok');
    },
    { maxOpenStreams: 2 },
    () => held,
  );
});

test('connections over the cap are not served', async () => {
  await withServer(
    async (server) => {
      assert.equal(server.server.maxConnections, 1);
      const a = connect(`http://127.0.0.1:${server.address.port}`);
      await new Promise<void>((resolve) => a.once('remoteSettings', () => resolve()));
      const b = connect(`http://127.0.0.1:${server.address.port}`);
      const closed = await new Promise<string>((resolve) => {
        b.once('remoteSettings', () => resolve('served'));
        b.once('close', () => resolve('closed'));
        b.once('error', () => resolve('closed'));
      });
      assert.equal(closed, 'closed');
      a.close();
      b.destroy();
    },
    { maxConnections: 1 },
  );
});
