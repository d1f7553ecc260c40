// The full picture: proxies certified by the real identity controller and routed by the real
// destination controller, both reading a real kube-apiserver (test bed) that describes the
// namespaces as Pods, a Service, an EndpointSlice and ServiceAccounts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyAndCsr } from '../../src/runtime/clients/identity-client.js';
import { freePort, startController, waitReady, type RunningController } from '../support/controllers.js';
import { createTestPki } from '../support/identity-pki.js';
import { kubectl, startTestbed, type Testbed } from '../support/testbed.js';
import { Mesh, type Pod } from './netns-mesh.js';

const isRoot = process.getuid?.() === 0;
const NS = 'l5dtest';
const idOf = (sa: string): string => `${sa}.${NS}.serviceaccount.identity.linkerd.cluster.local`;
const IDENTITY_PORT = 18080;
const DESTINATION_PORT = 18086;

function podObject(name: string, sa: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: {
        app: sa,
        'linkerd.io/control-plane-ns': 'linkerd',
        'linkerd.io/proxy-deployment': sa,
        'linkerd.io/workload-ns': NS,
      },
      annotations: { 'linkerd.io/proxy-version': 'edge-26.11.1', 'linkerd.io/inject': 'enabled' },
    },
    spec: {
      serviceAccountName: sa,
      nodeName: 'node-a',
      containers: [
        { name: 'app', image: 'app:v1', ports: [{ name: 'http', containerPort: 8080 }] },
        {
          name: 'linkerd-proxy',
          image: 'ghcr.io/l5d/proxy:edge-26.11.1',
          ports: [
            { name: 'linkerd-proxy', containerPort: 4143 },
            { name: 'linkerd-admin', containerPort: 4191 },
          ],
          // The destination controller reads the inbound port from here (opaque transport).
          env: [
            { name: 'LINKERD2_PROXY_INBOUND_LISTEN_ADDR', value: '0.0.0.0:4143' },
            { name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value: '0.0.0.0:4191' },
          ],
        },
      ],
    },
  };
}

describe(
  'meshed pods with the real identity and destination controllers',
  { skip: !isRoot && 'needs root for network namespaces' },
  () => {
    let tb: Testbed;
    let mesh: Mesh;
    const controllers: RunningController[] = [];
    let a: Pod;
    let b1: Pod;
    let b2: Pod;
    let clusterIp: string;

    const admin = (args: string[], stdin?: string) =>
      kubectl(
        args,
        stdin === undefined ? { kubeconfig: tb.adminKubeconfig } : { kubeconfig: tb.adminKubeconfig, stdin },
      );
    const apply = (obj: unknown) => admin(['apply', '-f', '-'], JSON.stringify(obj));

    before(async () => {
      tb = await startTestbed();
      mesh = new Mesh();
      a = mesh.addPod('a');
      b1 = mesh.addPod('b1');
      b2 = mesh.addPod('b2');

      await admin(['create', 'namespace', NS]);
      await admin(['create', 'namespace', 'linkerd']);
      for (const sa of ['client-a', 'server-b']) await admin(['create', 'serviceaccount', sa, '-n', NS]);
      await apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: NS },
        spec: { selector: { app: 'server-b' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      });
      clusterIp = (await admin(['get', 'service', 'web', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
      for (const [pod, sa] of [
        [a, 'client-a'],
        [b1, 'server-b'],
        [b2, 'server-b'],
      ] as const) {
        await apply(podObject(pod.name, sa));
        const status = { status: { phase: 'Running', podIP: pod.ip, podIPs: [{ ip: pod.ip }], hostIP: '192.168.0.1' } };
        await admin([
          'patch',
          'pod',
          pod.name,
          '-n',
          NS,
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify(status),
        ]);
      }
      await apply({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-abcde', namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [b1, b2].map((p) => ({
          addresses: [p.ip],
          conditions: { ready: true },
          nodeName: 'node-a',
          targetRef: { kind: 'Pod', name: p.name, namespace: NS },
        })),
      });

      const pki = await createTestPki();
      const issuerDir = join(mesh.dir, 'issuer');
      mkdirSync(issuerDir);
      writeFileSync(join(issuerDir, 'crt.pem'), pki.issuerCertPem);
      writeFileSync(join(issuerDir, 'key.pem'), pki.issuerKeyPem);
      writeFileSync(join(mesh.dir, 'ca-bundle.crt'), pki.anchorPem);
      const [identityGrpc, identityAdmin, dstGrpc, dstAdmin] = await Promise.all([
        freePort(),
        freePort(),
        freePort(),
        freePort(),
      ]);
      const identity = startController('identity', [
        `-kubeconfig=${tb.adminKubeconfig}`,
        '-controller-namespace=linkerd',
        '-identity-scheme=linkerd.io/tls',
        '-identity-trust-domain=cluster.local',
        '-identity-issuance-lifetime=24h0m0s',
        '-identity-clock-skew-allowance=20s',
        `-issuer=${issuerDir}`,
        `-trust-anchors=${join(mesh.dir, 'ca-bundle.crt')}`,
        `-addr=127.0.0.1:${identityGrpc}`,
        `-admin-addr=127.0.0.1:${identityAdmin}`,
      ]);
      controllers.push(identity);
      const destination = startController('destination', [
        `-kubeconfig=${tb.adminKubeconfig}`,
        '-controller-namespace=linkerd',
        '-identity-trust-domain=cluster.local',
        '-cluster-domain=cluster.local',
        '-enable-ipv6=false',
        '-outbound-transport-mode=transport-header',
        `-addr=127.0.0.1:${dstGrpc}`,
        `-metrics-addr=127.0.0.1:${dstAdmin}`,
      ]);
      controllers.push(destination);
      await Promise.all([waitReady(identity, identityAdmin), waitReady(destination, dstAdmin)]);

      // The controllers listen on the host's loopback; pods reach them through Unix sockets.
      await mesh.helper(undefined, 'uds-bridge.mjs', [
        'listen-uds',
        join(mesh.dir, 'identity.sock'),
        '127.0.0.1',
        String(identityGrpc),
      ]);
      await mesh.helper(undefined, 'uds-bridge.mjs', [
        'listen-uds',
        join(mesh.dir, 'destination.sock'),
        '127.0.0.1',
        String(dstGrpc),
      ]);
      for (const pod of [a, b1, b2]) {
        await mesh.helper(pod, 'uds-bridge.mjs', [
          'listen-tcp',
          '127.0.0.1',
          String(IDENTITY_PORT),
          join(mesh.dir, 'identity.sock'),
        ]);
        await mesh.helper(pod, 'uds-bridge.mjs', [
          'listen-tcp',
          '127.0.0.1',
          String(DESTINATION_PORT),
          join(mesh.dir, 'destination.sock'),
        ]);
        mesh.proxyInit(pod);
      }
      await Promise.all([b1, b2].map((p) => mesh.startApp(p)));
      for (const [pod, sa] of [
        [a, 'client-a'],
        [b1, 'server-b'],
        [b2, 'server-b'],
      ] as const) {
        const identityName = idOf(sa);
        const key = await generateKeyAndCsr(identityName);
        const token = (await admin(['create', 'token', sa, '-n', NS, '--audience', 'identity.l5d.io'])).stdout.trim();
        mesh.startProxy(pod, {
          identity: identityName,
          keyPkcs8: key.keyPkcs8,
          csrDer: key.csrDer,
          token,
          trustAnchorsPem: pki.anchorPem,
          env: {
            LINKERD2_PROXY_IDENTITY_SVC_ADDR: `localhost.:${IDENTITY_PORT}`,
            LINKERD2_PROXY_DESTINATION_SVC_ADDR: `localhost.:${DESTINATION_PORT}`,
            LINKERD2_PROXY_DESTINATION_CONTEXT: JSON.stringify({ ns: NS, nodeName: 'node-a', pod: pod.name }),
            LINKERD2_PROXY_DESTINATION_PROFILE_NETWORKS: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
            LINKERD2_PROXY_LOG: process.env['L5D_DATAPLANE_PROXY_LOG'] ?? 'warn,linkerd=info',
          },
        });
      }
      await Promise.all([a, b1, b2].map((p) => mesh.waitReady(p)));
    });

    after(async () => {
      mesh?.destroy();
      for (const c of controllers) await c.stop();
      await tb?.stop();
    });

    it('certifies every proxy through the identity controller', async () => {
      const metrics = await mesh.metrics(a);
      const expiry = Number(/identity_cert_expiration_timestamp_seconds (\d+)/.exec(metrics)?.[1]);
      assert.ok(expiry > Date.now() / 1000 + 23 * 3600, `24h leaf expected, got ${expiry}`);
    });

    it('routes A → Service → B over mTLS with endpoints from the destination controller', async () => {
      const r = await mesh.client<{ ok: number; pods: Record<string, number>; bodies: Array<{ clientId: string }> }>(
        a,
        {
          mode: 'h1',
          url: `http://${clusterIp}/via-controllers`,
          count: 60,
          concurrency: 2,
        },
      );
      assert.equal(r.ok, 60, JSON.stringify(r));
      assert.equal(r.bodies[0]?.clientId, idOf('client-a'));
      assert.ok((r.pods['b1'] ?? 0) > 0 && (r.pods['b2'] ?? 0) > 0, JSON.stringify(r.pods));
      const metricsA = await mesh.metrics(a);
      assert.match(
        metricsA,
        new RegExp(
          `request_total\\{direction="outbound",authority="${clusterIp.replace(/\./g, '\\.')}:80",[^}]*tls="true",server_id="server-b\\.${NS}\\.`,
        ),
      );
      assert.match(metricsA, /dst_namespace="l5dtest"/);
      const metricsB = (await mesh.metrics(b1)) + (await mesh.metrics(b2));
      assert.match(
        metricsB,
        new RegExp(`request_total\\{direction="inbound",[^}]*tls="true",client_id="client-a\\.${NS}\\.`),
      );
    });

    it('follows EndpointSlice changes: a removed endpoint stops receiving traffic', async () => {
      await apply({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-abcde', namespace: NS, labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [
          {
            addresses: [b1.ip],
            conditions: { ready: true },
            nodeName: 'node-a',
            targetRef: { kind: 'Pod', name: b1.name, namespace: NS },
          },
        ],
      });
      await new Promise((r) => setTimeout(r, 1500));
      const r = await mesh.client<{ ok: number; pods: Record<string, number> }>(a, {
        mode: 'h1',
        url: `http://${clusterIp}/after-removal`,
        count: 40,
        concurrency: 2,
      });
      assert.equal(r.ok, 40);
      assert.deepEqual(Object.keys(r.pods), ['b1']);
    });
  },
);
