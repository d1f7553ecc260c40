import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { makeCert } from '../fixtures/certs/factory.js';
import { handleAdmissionBody, type AdmissionDeps } from '../../src/runtime/proxy-injector/admission.js';
import { type HttpReply, startWebhookServer, type WebhookServer } from '../../src/runtime/shared/webhook-server.js';
import { createLogger } from '../../src/runtime/shared/log.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import { buildSidecar } from '../../src/manifests/sidecar/index.js';
import { injectorMetrics } from '../../src/runtime/proxy-injector/metrics.js';
import { Registry } from 'prom-client';

const quiet = createLogger({
  component: 'proxy-injector',
  level: 'error',
  format: 'plain',
  destination: new Writable({ write: (_c, _e, cb) => cb() }),
});

async function serve(handle: (body: string) => Promise<HttpReply>): Promise<WebhookServer> {
  const dir = mkdtempSync(join(tmpdir(), 'l5d-webhook-'));
  const cert = await makeCert({ cn: 'linkerd-proxy-injector.linkerd.svc' });
  writeFileSync(join(dir, 'tls.crt'), cert.certPEM);
  writeFileSync(join(dir, 'tls.key'), cert.keyPEM);
  const server = await startWebhookServer(
    '127.0.0.1:0',
    { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') },
    handle,
    quiet,
  );
  // The key pair is read at start (and on rotation, which these tests do not do).
  rmSync(dir, { recursive: true, force: true });
  return server;
}

function post(server: WebhookServer, body: Buffer | string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.address.port, method: 'POST', path: '/', rejectUnauthorized: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function deps(): AdmissionDeps {
  return {
    loadValues: () => Promise.resolve(defaultValues('test-version')),
    namespaceAnnotations: () => ({}),
    ownerOf: () => Promise.resolve(undefined),
    controlPlaneNamespace: 'linkerd',
    createdBy: 'linkerd/proxy-injector test-version',
    buildSidecar,
    metrics: injectorMetrics(new Registry()),
    recordEvent: () => undefined,
    log: quiet,
  };
}

test('a deeply nested AdmissionReview is answered allowed: false, and the server keeps serving', async () => {
  const d = deps();
  const server = await serve((body) => handleAdmissionBody(body, d));
  try {
    const depth = 200_000;
    const nested = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const body = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","kind":{"kind":"Pod"},"namespace":"default","object":{"kind":"Pod","metadata":{"name":"p"},"spec":{"x":${nested}}}}}`;
    const res = await post(server, body);
    assert.equal(res.status, 200, res.body);
    const answer = JSON.parse(res.body) as {
      response: { uid: string; allowed: boolean; status?: { message: string } };
    };
    assert.equal(answer.response.uid, 'u-1');
    assert.equal(answer.response.allowed, false);
    const again = await post(server, '');
    assert.equal(again.status, 200);
  } finally {
    await server.close();
  }
});

test('a body over the limit is answered 413, not reset', async () => {
  const server = await serve(() => Promise.resolve({ status: 200, contentType: 'text/plain', body: 'ok' }));
  try {
    const res = await post(server, Buffer.alloc(11 * 1024 * 1024, 0x20));
    assert.equal(res.status, 413);
    assert.equal((await post(server, '{}')).status, 200);
  } finally {
    await server.close();
  }
});

test('a handler that throws is answered 500 and the server keeps serving', async () => {
  let calls = 0;
  const server = await serve(() => {
    calls++;
    if (calls === 1) throw new RangeError('Maximum call stack size exceeded');
    return Promise.reject(new Error('boom'));
  });
  try {
    assert.equal((await post(server, '{}')).status, 500);
    assert.equal((await post(server, '{}')).status, 500);
    assert.equal(calls, 2);
  } finally {
    await server.close();
  }
});
