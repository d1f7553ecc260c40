// The full picture: proxies certified by the real identity controller and routed by the real
// destination controller, both reading a real kube-apiserver (test bed) in which the test
// describes the namespaces as Pods, Services, EndpointSlices and ServiceAccounts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ControlPlane, NS, SERVICE_PORTS, endpointSlice, idOf, serviceObject } from './control-plane.js';
import { Mesh, type Pod, createCa } from './netns-mesh.js';
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
const WEB_PORTS = [
  { name: 'http', port: 8080 },
  { name: 'grpc', port: 8081 },
  { name: 'echo', port: 9000 },
];
const LOAD = 3000;
/** Requests in flight during the kill tests: several of them are on the stopped replica. */
const CONCURRENCY = 16;

describe(
  'meshed pods with the real identity and destination controllers',
  { skip: !isRoot && 'needs root for network namespaces' },
  () => {
    let mesh: Mesh;
    let cp: ControlPlane | undefined;
    let a: Pod;
    let b1: Pod;
    let b2: Pod;
    let b3: Pod;
    let evil: Pod;
    let plain: Pod;
    let webIp: string;
    let spoofedIp: string;

    const webSlice = (pods: Pod[]) => cp!.apply(endpointSlice('web', WEB_PORTS, pods));
    /**
     * Waits until the destination controller's view reached A's proxy: only `pods` answer. A replica
     * that just served a load test keeps a high peak-EWMA cost, decaying with a 10 s time constant,
     * so P2C may prefer a fresh replica for every request for several seconds: allow three constants.
     */
    const waitForEndpoints = async (pods: Pod[]): Promise<void> => {
      const want = pods.map((p) => p.name).sort();
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await h1(mesh, a, `http://${webIp}/sync`, 40, { concurrency: 4 });
        if (r.ok === 40 && JSON.stringify(Object.keys(r.pods).sort()) === JSON.stringify(want)) return;
        if (Date.now() > deadline) throw new Error(`endpoints ${want} not in effect: ${JSON.stringify(r)}`);
        await new Promise((res) => setTimeout(res, 200));
      }
    };

    before(async () => {
      mesh = new Mesh();
      cp = await ControlPlane.start(mesh);
      a = mesh.addPod('a');
      b1 = mesh.addPod('b1');
      b2 = mesh.addPod('b2');
      b3 = mesh.addPod('b3');
      evil = mesh.addPod('evil');
      plain = mesh.addPod('plain');

      for (const sa of ['client-a', 'server-b', 'evil']) await cp.createServiceAccount(sa);
      await cp.apply(serviceObject('web', 'server-b', SERVICE_PORTS, '9000'));
      await cp.apply(serviceObject('spoofed', 'spoofed', [{ name: 'http', port: 80, targetPort: 'http' }]));
      [webIp, spoofedIp] = [await cp.clusterIp('web'), await cp.clusterIp('spoofed')];
      await cp.createPod(a, 'client-a', 'client-a', '');
      for (const b of [b1, b2, b3]) await cp.createPod(b, 'server-b', 'server-b', '9000');
      // The API says server-b runs at evil's address; the process there holds evil's certificate.
      await cp.createPod(evil, 'server-b', 'spoofed', '');
      await webSlice([b1, b2]);
      await cp.apply(endpointSlice('spoofed', [{ name: 'http', port: 8080 }], [evil]));

      for (const pod of [a, b1, b2, b3, evil]) {
        await cp.bridge(pod, 'destination');
        // b2 reaches the identity controller only in the /ready test.
        if (pod !== b2) await cp.bridge(pod, 'identity');
        mesh.proxyInit(pod);
      }
      await Promise.all([b1, b2, b3, evil].map((p) => mesh.startApp(p)));
      await cp.startProxy(a, 'client-a');
      await cp.startProxy(b1, 'server-b');
      await cp.startProxy(b2, 'server-b', { LINKERD2_PROXY_IDENTITY_MIN_REFRESH: '1s' });
      await cp.startProxy(b3, 'server-b');
      // A proxy answering to server-b's name with the certificate the identity controller
      // issued to the `evil` ServiceAccount.
      const evilCert = await cp.certify('evil');
      mesh.startProxy(evil, {
        identity: idOf('server-b'),
        keyPkcs8: evilCert.key.keyPkcs8,
        certPem: evilCert.certChainPem,
        trustAnchorsPem: cp.anchorPem,
        env: cp.proxyEnv(evil),
      });
      await Promise.all([a, b1, b3, evil].map((p) => mesh.waitReady(p)));
    });

    after(async () => {
      mesh?.destroy();
      await cp?.stop();
    });

    it('reports /ready 503 before the identity controller certified the proxy and 200 after', async () => {
      const before = await mesh.admin(b2, '/ready');
      assert.equal(before.status, 503);
      assert.equal((await mesh.admin(b2, '/live')).status, 200);
      await cp!.bridge(b2, 'identity');
      await mesh.waitReady(b2, 10_000);
      const expiry = Number(/identity_cert_expiration_timestamp_seconds (\d+)/.exec(await mesh.metrics(b2))?.[1]);
      assert.ok(expiry > Date.now() / 1000 + 23 * 3600, `24h leaf expected, got ${expiry}`);
    });

    it('carries HTTP/1 from A to the Service over mTLS, spread over both replicas', async () => {
      const url = `http://${webIp}/via-controllers`;
      await assertMeshedHttp1(mesh, a, url, [b1, b2], idOf('client-a'));
      await assertSpread(mesh, a, url, [b1, b2]);
      const metricsA = await mesh.metrics(a);
      assert.match(
        metricsA,
        new RegExp(
          `request_total\\{direction="outbound",authority="${webIp.replace(/\./g, '\\.')}:80",[^}]*tls="true",server_id="server-b\\.${NS}\\.`,
        ),
      );
      assert.match(metricsA, /dst_namespace="l5dtest"/);
    });

    it('carries HTTP/2 with gRPC trailers to the Service', async () => {
      await assertGrpc(mesh, a, `http://${webIp}:81`, [b1, b2], idOf('client-a'));
    });

    it('carries raw TCP to the Service (opaque port) over mTLS', async () => {
      await assertOpaqueTcp(mesh, a, { host: webIp, port: 9000 }, [b1, b2], idOf('client-a'));
    });

    it('shows no readable payload on the wire and no answer to plaintext on the inbound port', async () => {
      await assertNoReadablePayload(mesh, {
        server: b1,
        meshed: a,
        meshedUrl: `http://${webIp}`,
        plain,
        capture: { ns: mesh.bridgeNs, iface: 'br0' },
      });
    });

    it('lets an unmeshed client reach B in plaintext', async () => {
      await assertPlaintextClient(mesh, plain, b1);
    });

    it('refuses a proxy presenting a certificate for another identity', async () => {
      await assertWrongServerIdentityRefused(mesh, a, `http://${spoofedIp}/`);
    });

    it('refuses a client certificate from another trust anchor', async () => {
      const other = await createCa('root.linkerd.cluster.local');
      const forged = await other.issue(idOf('client-a'));
      const genuine = await cp!.certify('client-a');
      await assertForeignAnchorRefused(mesh, {
        from: plain,
        server: b1,
        sni: idOf('server-b'),
        anchorPem: cp!.anchorPem,
        foreign: forged,
        genuine: { certPem: genuine.certChainPem, keyPem: genuine.keyPem },
      });
    });

    it('loses < 0.1 % when a replica is shut down gracefully mid-load (SIGTERM, then endpoint removed)', async (t) => {
      const outcome = await loadThrough(mesh, {
        client: a,
        url: `http://${webIp}/graceful`,
        total: LOAD,
        concurrency: CONCURRENCY,
        afterMs: 1000,
        disrupt: async () => {
          b2.proxy?.kill('SIGTERM');
          // The endpoint controller drops the terminating pod from the slice.
          await webSlice([b1]);
        },
      });
      t.diagnostic(`graceful (SIGTERM): ${describeLoss(outcome)}`);
      assert.ok(outcome.failed / LOAD < 0.001, describeLoss(outcome));
      assert.ok((outcome.result.pods['b2'] ?? 0) > 0, 'b2 served part of the load before it was stopped');
      await waitForEndpoints([b1]);
    });

    it('loses < 0.1 % when a replica is killed (SIGKILL) mid-load', async (t) => {
      await webSlice([b1, b3]);
      await waitForEndpoints([b1, b3]);
      const outcome = await loadThrough(mesh, {
        client: a,
        url: `http://${webIp}/killed`,
        total: LOAD,
        concurrency: CONCURRENCY,
        afterMs: 1000,
        disrupt: async () => {
          b3.proxy?.kill('SIGKILL');
          // Readiness probes fail after a while; then the endpoint is removed.
          await new Promise((r) => setTimeout(r, 1000));
          await webSlice([b1]);
        },
      });
      t.diagnostic(`hard (SIGKILL): ${describeLoss(outcome)}`);
      assert.ok((outcome.result.pods['b3'] ?? 0) > 0, 'b3 served part of the load before it was killed');
      assert.ok(outcome.failed / LOAD < 0.001, describeLoss(outcome));
    });
  },
);
