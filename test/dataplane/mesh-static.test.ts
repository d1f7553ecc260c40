// End to end in network namespaces with static discovery and identity: two meshed "pods"
// calling each other through proxy-init rules and l5d proxies over mTLS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTransportHeader } from '../../src/runtime/proxy/protocol/transport-header.js';
import { type Ca, Mesh, type Pod, createCa, identityName } from './netns-mesh.js';
import {
  assertForeignAnchorRefused,
  assertGrpc,
  assertMeshedHttp1,
  assertNoReadablePayload,
  assertOpaqueTcp,
  assertPlaintextClient,
  assertSpread,
  assertWrongServerIdentityRefused,
  describeLoss,
  h1,
  loadThrough,
} from './scenarios.js';

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
      await assertMeshedHttp1(mesh, a, 'http://10.96.0.10/hello', [b1, b2], ID_A);
      const metricsA = await mesh.metrics(a);
      assert.match(
        metricsA,
        /response_total\{direction="outbound",authority="10\.96\.0\.10:80",[^}]*tls="true",server_id="server-b\.[^}]*status_code="200",classification="success"/,
      );
      assert.match(metricsA, /response_latency_ms_bucket\{direction="outbound"[^}]*le="1"\}/);
    });

    it('carries HTTP/2 with gRPC trailers', async () => {
      await assertGrpc(mesh, a, 'http://10.96.0.11:81', [b1], ID_A);
    });

    it('fails a request whose l5d-require-id names another identity, on HTTP/1 and HTTP/2 alike', async () => {
      const other = identityName('someone-else');
      const h1Refused = await h1(mesh, a, 'http://10.96.0.10/hello', 2, { headers: { 'l5d-require-id': other } });
      assert.deepEqual(h1Refused.statuses, { '502': 2 }, JSON.stringify(h1Refused));
      const grpc = (requireId: string) =>
        mesh.client<{ responses: Array<Record<string, string>>; trailers: Array<Record<string, string>> }>(a, {
          mode: 'h2',
          url: 'http://10.96.0.11:81',
          count: 1,
          headers: { 'l5d-require-id': requireId },
        });
      const h2Refused = await grpc(other);
      // UNAVAILABLE, trailers-only: the request never left the client's proxy.
      assert.equal(h2Refused.responses[0]?.['grpc-status'], '14', JSON.stringify(h2Refused));
      assert.deepEqual(h2Refused.trailers, []);
      // The identity the endpoints do have passes, on both protocols.
      assert.equal((await h1(mesh, a, 'http://10.96.0.10/hello', 2, { headers: { 'l5d-require-id': ID_B } })).ok, 2);
      assert.equal((await grpc(ID_B)).trailers[0]?.['grpc-status'], '0');
    });

    it('carries raw TCP (opaque) over mTLS', async () => {
      await assertOpaqueTcp(mesh, a, { host: '10.96.0.12', port: 9000 }, [b1], ID_A);
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
      await assertPlaintextClient(mesh, plain, b1);
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
      await assertNoReadablePayload(mesh, {
        server: b1,
        meshed: a,
        meshedUrl: 'http://10.96.0.14',
        plain,
        capture: { ns: b1.ns, iface: 'eth0' },
      });
    });

    it('refuses a peer presenting the wrong identity', async () => {
      await assertWrongServerIdentityRefused(mesh, a, 'http://10.96.0.30/');
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
      const forged = await (await createCa('other-root')).issue(ID_A);
      const genuine = await ca.issue(ID_A);
      await assertForeignAnchorRefused(mesh, {
        from: plain,
        server: b1,
        sni: ID_B,
        anchorPem: ca.certPem,
        foreign: forged,
        genuine,
      });
    });

    it('spreads load over two replicas and loses < 0.1 % when one is shut down mid-load', async (t) => {
      await assertSpread(mesh, a, 'http://10.96.0.10/spread', [b1, b2]);
      const outcome = await loadThrough(mesh, {
        client: a,
        url: 'http://10.96.0.10/load',
        total: 3000,
        concurrency: 4,
        afterMs: 1500,
        disrupt: async () => {
          // Pod deletion: SIGTERM to B2's proxy; the endpoint disappears from discovery shortly after.
          b2.proxy?.kill('SIGTERM');
          await new Promise((r) => setTimeout(r, 200));
          mesh.writeDiscovery(a, { ...discoveryA, '10.96.0.10:80': { endpoints: [endpoint(b1, 8080, ID_B)] } });
        },
      });
      t.diagnostic(`graceful (SIGTERM): ${describeLoss(outcome)}`);
      assert.ok(outcome.failed / outcome.total < 0.001, describeLoss(outcome));
      assert.ok((outcome.result.pods['b2'] ?? 0) > 0, 'b2 served part of the load before it was stopped');
    });
  },
);
