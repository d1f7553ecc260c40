// Acceptance scenarios shared by the static (mesh-static) and the real-control-plane
// (mesh-controllers) end-to-end tests: each one drives the pods of a Mesh and asserts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTransportHeader } from '../../src/runtime/proxy/protocol/transport-header.js';
import type { Mesh, Pod } from './netns-mesh.js';

/** What fixtures/app-client.mjs prints in `h1` mode. */
export interface H1Result {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  pods: Record<string, number>;
  bodies: Array<{ pod: string; proto: string; path: string; clientId: string | null }>;
  errors: string[];
  headers: Array<Record<string, string>>;
}

export interface Credential {
  certPem: string;
  keyPem: string;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An inbound request metric of a meshed (mTLS) request from `clientId`. */
export function inboundMtlsRequest(clientId: string): RegExp {
  return new RegExp(`request_total\\{direction="inbound",[^}]*tls="true",client_id="${escapeRe(clientId)}"`);
}

/** HTTP/1 requests from `client` to `url`. */
export function h1(mesh: Mesh, client: Pod, url: string, count: number, extra: Record<string, unknown> = {}) {
  return mesh.client<H1Result>(client, { mode: 'h1', url, count, ...extra });
}

/**
 * A meshed client's requests to `url` arrive at the servers' proxies over mTLS with the
 * client's identity, in their metrics and in the `l5d-client-id` header the app sees.
 */
export async function assertMeshedHttp1(
  mesh: Mesh,
  client: Pod,
  url: string,
  servers: Pod[],
  clientId: string,
): Promise<H1Result> {
  const r = await h1(mesh, client, url, 10);
  assert.equal(r.ok, 10, JSON.stringify(r));
  assert.equal(r.bodies[0]?.clientId, clientId);
  let metrics = '';
  for (const s of servers) metrics += await mesh.metrics(s);
  assert.match(metrics, inboundMtlsRequest(clientId));
  return r;
}

/** HTTP/2 with gRPC trailers through the mesh to one of `servers`, with the client's identity. */
export async function assertGrpc(
  mesh: Mesh,
  client: Pod,
  url: string,
  servers: Pod[],
  clientId: string,
): Promise<void> {
  const r = await mesh.client<{ ok: number; bodies: string[]; trailers: Array<Record<string, string>> }>(client, {
    mode: 'h2',
    url,
    count: 5,
  });
  assert.equal(r.ok, 5, JSON.stringify(r));
  assert.equal(r.trailers[0]?.['grpc-status'], '0');
  const body = JSON.parse(r.bodies[0] ?? '{}') as { pod: string; clientId: string };
  assert.equal(body.clientId, clientId);
  assert.match(
    await mesh.metrics(serverNamed(servers, body.pod)),
    /response_total\{direction="inbound",[^}]*status_code="200",classification="success",grpc_status="0"/,
  );
}

function serverNamed(servers: Pod[], name: string | undefined): Pod {
  const server = servers.find((s) => s.name === name);
  assert.ok(server, `answered by ${name}, expected one of ${servers.map((s) => s.name).join(', ')}`);
  return server;
}

/** A raw TCP echo through the mesh to one of `servers`, recorded there as mTLS from `clientId`. */
export async function assertOpaqueTcp(
  mesh: Mesh,
  client: Pod,
  target: { host: string; port: number },
  servers: Pod[],
  clientId: string,
): Promise<void> {
  const r = await mesh.client<{ data: string }>(client, {
    mode: 'tcp',
    ...target,
    send: 'ping-over-tcp\n',
    expect: 'ping-over-tcp',
  });
  const server = serverNamed(servers, /hello from (\S+)/.exec(r.data)?.[1]);
  assert.match(r.data, /ping-over-tcp/);
  assert.match(
    await mesh.metrics(server),
    new RegExp(
      `tcp_open_total\\{direction="inbound",peer="src",target_addr="${escapeRe(server.ip)}:4143",[^}]*tls="true",client_id="${escapeRe(clientId)}"`,
    ),
  );
}

/** A client without a proxy reaches the server's app in plaintext; the proxy records it so. */
export async function assertPlaintextClient(mesh: Mesh, plain: Pod, server: Pod): Promise<void> {
  const r = await h1(mesh, plain, `http://${server.ip}:8080/plain`, 3);
  assert.equal(r.ok, 3, JSON.stringify(r));
  assert.equal(r.bodies[0]?.pod, server.name);
  assert.equal(r.bodies[0]?.clientId, null);
  assert.match(
    await mesh.metrics(server),
    /request_total\{direction="inbound",[^}]*tls="no_identity",no_tls_reason="no_tls_from_remote"/,
  );
}

/**
 * Plaintext sent straight to the server's inbound port gets no answer, and a capture on the
 * wire (`capture`: an interface the traffic crosses) holds an unmeshed control request from
 * `plain` but none of the payload `meshed` posts to `meshedUrl`.
 */
export async function assertNoReadablePayload(
  mesh: Mesh,
  opts: { server: Pod; meshed: Pod; meshedUrl: string; plain: Pod; capture: { ns: string; iface: string } },
): Promise<void> {
  const { server, meshed, meshedUrl, plain, capture: at } = opts;
  const probe = await mesh.client<{ data: string }>(plain, {
    mode: 'plainProbe',
    host: server.ip,
    port: 4143,
    send: 'GET / HTTP/1.1\r\nhost: x\r\n\r\n',
  });
  assert.equal(probe.data, '', 'the inbound port must not answer plaintext addressed to it');
  const pcap = join(mesh.dir, `${server.name}.pcap`);
  const capture = spawn('ip', ['netns', 'exec', at.ns, 'tcpdump', '-i', at.iface, '-U', '-s', '0', '-w', pcap, 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    // tcpdump reports "listening on eth0" once the capture runs.
    await new Promise<void>((resolve, reject) => {
      let err = '';
      capture.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) resolve();
      });
      capture.once('exit', (code) => reject(new Error(`tcpdump exited ${code}: ${err}`)));
    });
    const secret = 'SECRET-PAYLOAD-7f3a9c';
    const r = await h1(mesh, meshed, `${meshedUrl}/${secret}`, 4, { method: 'POST', body: secret });
    assert.equal(r.ok, 4, JSON.stringify(r));
    const control = 'PLAINTEXT-CONTROL-51d2';
    await h1(mesh, plain, `http://${server.ip}:8080/${control}`, 1);
    await new Promise((res) => setTimeout(res, 1000));
  } finally {
    const exited = new Promise((res) => capture.once('exit', res));
    capture.kill('SIGINT');
    await exited;
  }
  const bytes = readFileSync(pcap).toString('latin1');
  assert.ok(bytes.includes('PLAINTEXT-CONTROL-51d2'), 'the capture must see plaintext traffic (control)');
  assert.ok(!bytes.includes('SECRET-PAYLOAD-7f3a9c'), 'meshed payload must not be readable on the wire');
}

/** A meshed client's proxy refuses a server whose certificate names another identity. */
export async function assertWrongServerIdentityRefused(mesh: Mesh, client: Pod, url: string): Promise<void> {
  const r = await h1(mesh, client, url, 2);
  assert.equal(r.ok, 0);
  assert.equal(r.statuses['502'], 2, JSON.stringify(r));
  assert.match(r.headers[0]?.['l5d-proxy-error'] ?? '', /certificate does not match TLS identity/);
}

/**
 * A TLS client speaking the transport header to `server`'s inbound port is refused with a
 * certificate from another trust anchor, and answered with a `genuine` one (so the refusal is
 * the anchor's doing).
 */
export async function assertForeignAnchorRefused(
  mesh: Mesh,
  opts: { from: Pod; server: Pod; sni: string; anchorPem: string; foreign: Credential; genuine: Credential },
): Promise<void> {
  const files = (name: string, c: Credential) => {
    const cert = join(mesh.dir, `${name}.pem`);
    const key = join(mesh.dir, `${name}.key`);
    writeFileSync(cert, c.certPem);
    writeFileSync(key, c.keyPem);
    return { cert, key };
  };
  const ca = join(mesh.dir, 'probe-ca.pem');
  writeFileSync(ca, opts.anchorPem);
  const probe = {
    mode: 'tlsProbe',
    host: opts.server.ip,
    port: 4143,
    sni: opts.sni,
    ca,
    headerHex: encodeTransportHeader({ port: 8080, sessionProtocol: 'http1' }).toString('hex'),
  };
  const refused = await mesh.client<{ data: string }>(opts.from, { ...probe, ...files('foreign', opts.foreign) });
  assert.doesNotMatch(refused.data, /HTTP\/1\.1 200/);
  const accepted = await mesh.client<{ data: string }>(opts.from, { ...probe, ...files('genuine', opts.genuine) });
  assert.match(accepted.data, /HTTP\/1\.1 200/);
}

/** Load is spread over all `replicas` (each gets at least a fifth of its fair share). */
export async function assertSpread(mesh: Mesh, client: Pod, url: string, replicas: Pod[]): Promise<void> {
  const count = 100 * replicas.length;
  const r = await h1(mesh, client, url, count, { concurrency: 4 });
  assert.equal(r.ok, count, JSON.stringify(r));
  for (const p of replicas) assert.ok((r.pods[p.name] ?? 0) > 20, JSON.stringify(r.pods));
}

export interface KillOutcome {
  total: number;
  failed: number;
  lossPercent: number;
  durationMs: number;
  result: H1Result;
}

/**
 * Runs a bounded HTTP/1 load (`concurrency` requests in flight) from `client` and calls
 * `disrupt` once `afterMs` have passed; reports how many requests failed.
 */
export async function loadThrough(
  mesh: Mesh,
  opts: {
    client: Pod;
    url: string;
    total: number;
    concurrency: number;
    afterMs: number;
    disrupt: () => Promise<void>;
  },
): Promise<KillOutcome> {
  const started = Date.now();
  const load = h1(mesh, opts.client, opts.url, opts.total, { concurrency: opts.concurrency });
  await new Promise((r) => setTimeout(r, opts.afterMs));
  await opts.disrupt();
  const result = await load;
  return {
    total: opts.total,
    failed: result.failed,
    lossPercent: (100 * result.failed) / opts.total,
    durationMs: Date.now() - started,
    result,
  };
}

export function describeLoss(o: KillOutcome): string {
  const proxyErrors = o.result.headers.map((h) => h['l5d-proxy-error']);
  return `lost ${o.failed}/${o.total} (${o.lossPercent.toFixed(3)} %) in ${o.durationMs} ms: pods ${JSON.stringify(
    o.result.pods,
  )} statuses ${JSON.stringify(o.result.statuses)} errors ${JSON.stringify([...o.result.errors, ...proxyErrors])}`;
}
