// End to end in network namespaces with static discovery and identity: two meshed "pods"
// calling each other through proxy-init rules and l5d proxies over mTLS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTransportHeader } from '../../src/runtime/proxy/protocol/transport-header.js';
import { type Ca, Mesh, type Pod, createCa, identityName } from './netns-mesh.js';

const isRoot = process.getuid?.() === 0;
const ID_A = identityName('client-a');
const ID_B = identityName('server-b');
const ID_EVIL = identityName('evil');

function endpoint(
  pod: Pod,
  port: number,
  identity: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    address: pod.ip,
    port,
    identity,
    opaqueTransportPort: 4143,
    labels: { pod: pod.name, serviceaccount: identity.split('.')[0] },
    ...extra,
  };
}

describe(
  'meshed pods in network namespaces (static discovery and identity)',
  { skip: !isRoot && 'needs root for network namespaces' },
  () => {
    let mesh: Mesh;
    let ca: Ca;
    let a: Pod;
    let b1: Pod;
    let b2: Pod;
    let evil: Pod;
    let plain: Pod;
    let strict: Pod;
    let discoveryA: Record<string, unknown>;
    let b2Cert: string;

    before(async () => {
      mesh = new Mesh();
      ca = await createCa('root.linkerd.cluster.local');
      a = mesh.addPod('a');
      b1 = mesh.addPod('b1');
      b2 = mesh.addPod('b2');
      evil = mesh.addPod('evil');
      plain = mesh.addPod('plain');
      strict = mesh.addPod('strict');
      for (const p of [a, b1, b2, evil, strict]) mesh.proxyInit(p);
      await Promise.all([b1, b2, evil, strict].map((p) => mesh.startApp(p)));
      discoveryA = {
        '10.96.0.10:80': {
          labels: { service: 'web', namespace: 'l5dtest' },
          endpoints: [endpoint(b1, 8080, ID_B), endpoint(b2, 8080, ID_B)],
        },
        '10.96.0.11:81': { endpoints: [endpoint(b1, 8081, ID_B)] },
        '10.96.0.12:9000': { opaque: true, endpoints: [endpoint(b1, 9000, ID_B)] },
        '10.96.0.13:9001': { opaque: true, endpoints: [endpoint(b1, 9001, ID_B)] },
        '10.96.0.14:80': { endpoints: [endpoint(b1, 8080, ID_B)] },
        '10.96.0.40:80': { endpoints: [endpoint(strict, 8080, ID_B)] },
        // Discovery expects server-b, but the pod behind it presents another identity.
        '10.96.0.30:80': { endpoints: [endpoint(evil, 8080, ID_B)] },
      };
      const [certA, certB1, certB2, certEvil, certStrict] = await Promise.all([
        ca.issue(ID_A),
        ca.issue(ID_B),
        ca.issue(ID_B),
        ca.issue(ID_EVIL),
        ca.issue(ID_B),
      ]);
      b2Cert = certB2.certPem;
      const start = (
        pod: Pod,
        identity: string,
        cert: { certPem: string; keyPkcs8: Buffer },
        discovery: Record<string, unknown>,
        installCert = true,
      ): void =>
        mesh.startProxy(pod, {
          identity,
          keyPkcs8: cert.keyPkcs8,
          trustAnchorsPem: ca.certPem,
          ...(installCert ? { certPem: cert.certPem } : {}),
          discovery,
        });
      start(a, ID_A, certA, discoveryA);
      start(b1, ID_B, certB1, {});
      start(b2, ID_B, certB2, {}, false);
      // A rogue proxy answering to server-b's name with a certificate for another identity.
      start(evil, ID_B, certEvil, {});
      mesh.startProxy(strict, {
        identity: ID_B,
        keyPkcs8: certStrict.keyPkcs8,
        certPem: certStrict.certPem,
        trustAnchorsPem: ca.certPem,
        discovery: {},
        env: { LINKERD2_PROXY_INBOUND_DEFAULT_POLICY: 'all-authenticated' },
      });
      await Promise.all([a, b1, evil, strict].map((p) => mesh.waitReady(p)));
    });

    after(() => mesh?.destroy());

    it('reports /ready 503 before the first certificate and 200 after', async () => {
      // b2's proxy started without a certificate file.
      const before = await mesh.admin(b2, '/ready');
      assert.equal(before.status, 503);
      assert.equal((await mesh.admin(b2, '/live')).status, 200);
      mesh.installCert(b2, b2Cert);
      await mesh.waitReady(b2, 10_000);
      assert.equal((await mesh.admin(b2, '/ready')).status, 200);
    });

    it('carries HTTP/1 from A to B over mTLS, with A identified at B', async () => {
      const r = await mesh.client<{ ok: number; bodies: Array<{ clientId: string; proto: string }> }>(a, {
        mode: 'h1',
        url: 'http://10.96.0.10/hello',
        count: 10,
      });
      assert.equal(r.ok, 10, JSON.stringify(r));
      assert.equal(r.bodies[0]?.clientId, ID_A);
      const metrics = (await mesh.metrics(b1)) + (await mesh.metrics(b2));
      assert.match(
        metrics,
        new RegExp(`request_total\\{direction="inbound",[^}]*tls="true",client_id="${ID_A.replace(/\./g, '\\.')}"`),
      );
      const metricsA = await mesh.metrics(a);
      assert.match(
        metricsA,
        /response_total\{direction="outbound",authority="10\.96\.0\.10:80",[^}]*tls="true",server_id="server-b\.[^}]*status_code="200",classification="success"/,
      );
      assert.match(metricsA, /response_latency_ms_bucket\{direction="outbound"[^}]*le="1"\}/);
    });

    it('carries HTTP/2 with gRPC trailers', async () => {
      const r = await mesh.client<{ ok: number; bodies: string[]; trailers: Array<Record<string, string>> }>(a, {
        mode: 'h2',
        url: 'http://10.96.0.11:81',
        count: 5,
      });
      assert.equal(r.ok, 5, JSON.stringify(r));
      assert.equal(r.trailers[0]?.['grpc-status'], '0');
      assert.equal(JSON.parse(r.bodies[0] ?? '{}').clientId, ID_A);
      assert.match(
        await mesh.metrics(b1),
        /response_total\{direction="inbound",[^}]*status_code="200",classification="success",grpc_status="0"/,
      );
    });

    it('carries raw TCP (opaque) over mTLS', async () => {
      const r = await mesh.client<{ data: string }>(a, {
        mode: 'tcp',
        host: '10.96.0.12',
        port: 9000,
        send: 'ping-over-tcp\n',
        expect: 'ping-over-tcp',
      });
      assert.match(r.data, /hello from b1/);
      assert.match(r.data, /ping-over-tcp/);
      assert.match(
        await mesh.metrics(b1),
        /tcp_open_total\{direction="inbound",peer="src",target_addr="10\.77\.0\.\d+:4143",[^}]*tls="true",client_id="client-a\./,
      );
    });

    it('keeps TCP half-open: the server answers after the client has closed its side', async () => {
      const payload = 'x'.repeat(100_000);
      const r = await mesh.client<{ data: string }>(a, {
        mode: 'tcp',
        host: '10.96.0.13',
        port: 9001,
        send: payload,
        expect: '100000\n',
        halfClose: true,
      });
      assert.equal(r.data, '100000\n');
    });

    it('forwards unknown destinations to the original address', async () => {
      const r = await mesh.client<{ ok: number; bodies: Array<{ pod: string; clientId: unknown }> }>(a, {
        mode: 'h1',
        url: `http://${b1.ip}:8080/direct`,
        count: 2,
      });
      assert.equal(r.ok, 2, JSON.stringify(r));
      assert.equal(r.bodies[0]?.pod, 'b1');
      // Not meshed by discovery: B's inbound sees a plaintext client.
      assert.equal(r.bodies[0]?.clientId, null);
    });

    it('lets an unmeshed client reach B in plaintext', async () => {
      const r = await mesh.client<{ ok: number; bodies: Array<{ pod: string; clientId: unknown }> }>(plain, {
        mode: 'h1',
        url: `http://${b1.ip}:8080/plain`,
        count: 3,
      });
      assert.equal(r.ok, 3, JSON.stringify(r));
      assert.equal(r.bodies[0]?.clientId, null);
      assert.match(
        await mesh.metrics(b1),
        /request_total\{direction="inbound",[^}]*tls="no_identity",no_tls_reason="no_tls_from_remote"/,
      );
    });

    it('enforces the all-authenticated default policy: 403 in plaintext, 200 over mTLS', async () => {
      const denied = await mesh.client<{ statuses: Record<string, number> }>(plain, {
        mode: 'h1',
        url: `http://${strict.ip}:8080/`,
        count: 2,
      });
      assert.deepEqual(denied.statuses, { '403': 2 });
      const meshed = await mesh.client<{ ok: number; bodies: Array<{ clientId: string }> }>(a, {
        mode: 'h1',
        url: 'http://10.96.0.40/',
        count: 2,
      });
      assert.equal(meshed.ok, 2);
      assert.equal(meshed.bodies[0]?.clientId, ID_A);
      const tcp = await mesh.client<{ data: string }>(plain, {
        mode: 'plainProbe',
        host: strict.ip,
        port: 9000,
        send: 'x',
      });
      assert.equal(tcp.data, '', 'opaque TCP from an unauthenticated client is closed');
    });

    it('refuses plaintext on the inbound port and shows no readable payload on the wire', async () => {
      const probe = await mesh.client<{ data: string }>(plain, {
        mode: 'plainProbe',
        host: b1.ip,
        port: 4143,
        send: 'GET / HTTP/1.1\r\nhost: x\r\n\r\n',
      });
      assert.equal(probe.data, '');
      const pcap = join(mesh.dir, 'b1.pcap');
      const capture = spawn(
        'ip',
        ['netns', 'exec', b1.ns, 'tcpdump', '-i', 'eth0', '-U', '-s', '0', '-w', pcap, 'tcp'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      // tcpdump reports "listening on eth0" once the capture runs.
      await new Promise<void>((resolve) => {
        let err = '';
        capture.stderr?.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('listening on')) resolve();
        });
      });
      const secret = 'SECRET-PAYLOAD-7f3a9c';
      const meshed = await mesh.client<{ ok: number }>(a, {
        mode: 'h1',
        url: `http://10.96.0.14/${secret}`,
        count: 4,
        method: 'POST',
        body: secret,
      });
      assert.equal(meshed.ok, 4);
      const control = 'PLAINTEXT-CONTROL-51d2';
      await mesh.client(plain, { mode: 'h1', url: `http://${b1.ip}:8080/${control}`, count: 1 });
      await new Promise((r) => setTimeout(r, 1000));
      capture.kill('SIGINT');
      await new Promise((r) => capture.once('exit', r));
      const bytes = readFileSync(pcap).toString('latin1');
      assert.ok(bytes.includes(control), 'the capture must see plaintext traffic (control)');
      assert.ok(!bytes.includes(secret), 'meshed payload must not be readable on the wire');
    });

    it('refuses a peer presenting the wrong identity', async () => {
      const r = await mesh.client<{
        ok: number;
        statuses: Record<string, number>;
        headers: Array<Record<string, string>>;
      }>(a, { mode: 'h1', url: 'http://10.96.0.30/', count: 2 });
      assert.equal(r.ok, 0);
      assert.equal(r.statuses['502'], 2, JSON.stringify(r));
      assert.match(r.headers[0]?.['l5d-proxy-error'] ?? '', /certificate does not match TLS identity/);
    });

    it("serves a peer's HTTP/1 → HTTP/2 upgrade (l5d-orig-proto) to an HTTP/1 app", async () => {
      const genuine = await ca.issue(ID_A);
      const certFile = join(mesh.dir, 'upgrade.pem');
      const keyFile = join(mesh.dir, 'upgrade.key');
      const caFile = join(mesh.dir, 'upgrade-ca.pem');
      writeFileSync(certFile, genuine.certPem);
      writeFileSync(keyFile, genuine.keyPem);
      writeFileSync(caFile, ca.certPem);
      const headerHex = encodeTransportHeader({ port: 8080, sessionProtocol: 'http2' }).toString('hex');
      const r = await mesh.client<{
        status: number;
        origProto: string;
        body: { proto: string; path: string; clientId: string };
      }>(plain, {
        mode: 'h2Upgraded',
        host: b1.ip,
        port: 4143,
        sni: ID_B,
        cert: certFile,
        key: keyFile,
        ca: caFile,
        headerHex,
      });
      assert.equal(r.status, 200, JSON.stringify(r));
      assert.equal(r.origProto, 'HTTP/1.1');
      assert.deepEqual([r.body.proto, r.body.path, r.body.clientId], ['http1', '/upgraded', ID_A]);
    });

    it('refuses a client certificate from another trust anchor', async () => {
      const other = await createCa('other-root');
      const forged = await other.issue(ID_A);
      const certFile = join(mesh.dir, 'forged.pem');
      const keyFile = join(mesh.dir, 'forged.key');
      const caFile = join(mesh.dir, 'ca.pem');
      writeFileSync(certFile, forged.certPem);
      writeFileSync(keyFile, forged.keyPem);
      writeFileSync(caFile, ca.certPem);
      const headerHex = encodeTransportHeader({ port: 8080, sessionProtocol: 'http1' }).toString('hex');
      const probe = {
        mode: 'tlsProbe',
        host: b1.ip,
        port: 4143,
        sni: ID_B,
        cert: certFile,
        key: keyFile,
        ca: caFile,
        headerHex,
      };
      const refused = await mesh.client<{ data: string }>(plain, probe);
      assert.doesNotMatch(refused.data, /HTTP\/1\.1 200/);
      // The same probe with a certificate from the right CA is answered (so the refusal is the CA's doing).
      const genuine = await ca.issue(ID_A);
      writeFileSync(certFile, genuine.certPem);
      writeFileSync(keyFile, genuine.keyPem);
      const accepted = await mesh.client<{ data: string }>(plain, probe);
      assert.match(accepted.data, /HTTP\/1\.1 200/);
    });

    it('spreads load over two replicas and loses < 0.1 % when one is shut down mid-load', async () => {
      const spread = await mesh.client<{ ok: number; pods: Record<string, number> }>(a, {
        mode: 'h1',
        url: 'http://10.96.0.10/spread',
        count: 400,
        concurrency: 4,
      });
      assert.equal(spread.ok, 400, JSON.stringify(spread));
      assert.ok((spread.pods['b1'] ?? 0) > 60 && (spread.pods['b2'] ?? 0) > 60, JSON.stringify(spread.pods));

      const total = 3000;
      const load = mesh.client<{
        ok: number;
        failed: number;
        pods: Record<string, number>;
        errors: string[];
        statuses: Record<string, number>;
      }>(a, {
        mode: 'h1',
        url: 'http://10.96.0.10/load',
        count: total,
        concurrency: 4,
      });
      await new Promise((r) => setTimeout(r, 1500));
      // Pod deletion: SIGTERM to B2's proxy; the endpoint disappears from discovery shortly after.
      b2.proxy?.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      mesh.writeDiscovery(a, { ...discoveryA, '10.96.0.10:80': { endpoints: [endpoint(b1, 8080, ID_B)] } });
      const r = await load;
      assert.ok(
        r.failed / total < 0.001,
        `lost ${r.failed}/${total}: ${JSON.stringify(r.errors)} ${JSON.stringify(r.statuses)}`,
      );
      assert.ok((r.pods['b2'] ?? 0) > 0, 'b2 served part of the load before it was stopped');
    });
  },
);
