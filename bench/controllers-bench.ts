// Control-plane benchmarks against the kube-apiserver test bed (run: npm run bench:controllers):
//   1. EndpointSlice change → Destination.Get update propagation latency behind a 1 000-endpoint
//      Service (p50/p99), plus the time to the first 1 000-address snapshot;
//   2. Certify latency (TokenReview round trip + signing), p50/p99.
// The controllers run as child processes from dist/ (build first: npx tsc -p tsconfig.build.json).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { KubeClient } from '../src/kube/client.js';
import { Destination, type Update } from '../src/proto/gen/destination_pb.js';
import { Identity } from '../src/proto/gen/identity_pb.js';
import { generateKeyAndCsr } from '../src/runtime/clients/identity-client.js';
import { connectTransport } from '../test/support/connect-transport.js';
import { tcpAddressToString } from '../src/runtime/destination/net.js';
import { freePort, startController, waitReady } from '../test/support/controllers.js';
import { createTestPki } from '../test/support/identity-pki.js';
import { kubectl, startTestbed } from '../test/support/testbed.js';

const NS = 'bench';
const ENDPOINTS = 1000;
const PER_SLICE = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function report(name: string, ms: number[]): void {
  console.log(
    `${name}: n=${ms.length} p50=${percentile(ms, 50).toFixed(1)}ms p99=${percentile(ms, 99).toFixed(1)}ms max=${Math.max(...ms).toFixed(1)}ms`,
  );
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

const ip = (i: number) => `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`;

function sliceBody(s: number, notReady: Set<number>) {
  const endpoints = [];
  for (let i = s * PER_SLICE; i < (s + 1) * PER_SLICE; i++) {
    endpoints.push({
      addresses: [ip(i)],
      conditions: { ready: !notReady.has(i) },
      targetRef: { kind: 'Pod', name: `web-${i}`, namespace: NS },
    });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `web-svc-${s}`, namespace: NS, labels: { 'kubernetes.io/service-name': 'web-svc' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints,
  };
}

async function benchDestination(kube: KubeClient, adminKubeconfig: string): Promise<void> {
  const api = (method: 'POST' | 'PUT', path: string, body: unknown) => kube.request({ method, path, body });
  await api('POST', `/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web-svc', namespace: NS },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  const t0 = performance.now();
  await inParallel([...Array(ENDPOINTS).keys()], 16, (i) =>
    api('POST', `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, namespace: NS, labels: { app: 'web', 'linkerd.io/control-plane-ns': 'linkerd' } },
      spec: {
        serviceAccountName: 'web',
        containers: [
          { name: 'web', image: 'web', ports: [{ name: 'http', containerPort: 8080 }] },
          {
            name: 'linkerd-proxy',
            image: 'proxy',
            env: [{ name: 'LINKERD2_PROXY_INBOUND_LISTEN_ADDR', value: '0.0.0.0:4143' }],
          },
        ],
      },
    }),
  );
  const notReady = new Set<number>();
  for (let s = 0; s < ENDPOINTS / PER_SLICE; s++) {
    await api('POST', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, sliceBody(s, notReady));
  }
  console.log(
    `setup: ${ENDPOINTS} pods + ${ENDPOINTS / PER_SLICE} EndpointSlices in ${(performance.now() - t0).toFixed(0)}ms`,
  );

  const [grpcPort, adminPort] = [await freePort(), await freePort()];
  const ctrl = startController('destination', [
    `-kubeconfig=${adminKubeconfig}`,
    '-log-level=warn',
    '-enable-ipv6=false',
    '-cluster-domain=cluster.local',
    '-identity-trust-domain=cluster.local',
    `-addr=127.0.0.1:${grpcPort}`,
    `-metrics-addr=127.0.0.1:${adminPort}`,
  ]);
  try {
    await waitReady(ctrl, adminPort, 60_000);
    const client = createClient(Destination, connectTransport(`127.0.0.1:${grpcPort}`));
    const abort = new AbortController();
    const waiters: { key: string; kind: 'add' | 'remove'; resolve: () => void }[] = [];
    let snapshotResolve: (n: number) => void = () => undefined;
    const snapshot = new Promise<number>((r) => (snapshotResolve = r));
    const subscribedAt = performance.now();
    void (async () => {
      for await (const u of client.get(
        { path: `web-svc.${NS}.svc.cluster.local:80` },
        { signal: abort.signal },
      ) as AsyncIterable<Update>) {
        const kind = u.update.case;
        if (kind !== 'add' && kind !== 'remove') continue;
        const keys =
          kind === 'add'
            ? u.update.value.addrs.map((a) => tcpAddressToString(a.addr))
            : u.update.value.addrs.map(tcpAddressToString);
        if (kind === 'add' && keys.length === ENDPOINTS) snapshotResolve(performance.now() - subscribedAt);
        for (let w = waiters.length - 1; w >= 0; w--) {
          const waiter = waiters[w];
          if (waiter !== undefined && waiter.kind === kind && keys.includes(waiter.key)) {
            waiters.splice(w, 1);
            waiter.resolve();
          }
        }
      }
    })().catch(() => undefined);
    console.log(`Get: first snapshot of ${ENDPOINTS} addresses after ${(await snapshot).toFixed(1)}ms`);

    const latencies: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const i = (r * 37) % ENDPOINTS;
      const s = Math.floor(i / PER_SLICE);
      const becomingReady = notReady.has(i);
      if (becomingReady) notReady.delete(i);
      else notReady.add(i);
      const seen = new Promise<void>((resolve) =>
        waiters.push({ key: `${ip(i)}:8080`, kind: becomingReady ? 'add' : 'remove', resolve }),
      );
      const body = sliceBody(s, notReady);
      const start = performance.now();
      await api('PUT', `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices/web-svc-${s}`, {
        ...body,
        metadata: { ...body.metadata, resourceVersion: undefined },
      });
      await seen;
      latencies.push(performance.now() - start);
    }
    report('EndpointSlice change → Get update (1 000 endpoints)', latencies);
    abort.abort();
  } finally {
    await ctrl.stop();
  }
}

async function benchIdentity(adminKubeconfig: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'l5d-bench-identity-'));
  try {
    const pki = await createTestPki();
    writeFileSync(join(dir, 'ca.crt'), pki.anchorPem);
    writeFileSync(join(dir, 'crt.pem'), pki.issuerCertPem);
    writeFileSync(join(dir, 'key.pem'), pki.issuerKeyPem);
    const token = (
      await kubectl(['create', 'token', 'web', '-n', NS, '--audience', 'identity.l5d.io'], {
        kubeconfig: adminKubeconfig,
      })
    ).stdout.trim();
    const [grpcPort, adminPort] = [await freePort(), await freePort()];
    const ctrl = startController('identity', [
      `-kubeconfig=${adminKubeconfig}`,
      '-log-level=warn',
      '-controller-namespace=linkerd',
      '-identity-scheme=linkerd.io/tls',
      '-identity-trust-domain=cluster.local',
      `-issuer=${dir}`,
      `-trust-anchors=${join(dir, 'ca.crt')}`,
      `-addr=127.0.0.1:${grpcPort}`,
      `-admin-addr=127.0.0.1:${adminPort}`,
    ]);
    try {
      await waitReady(ctrl, adminPort);
      const client = createClient(Identity, connectTransport(`127.0.0.1:${grpcPort}`));
      const identity = `web.${NS}.serviceaccount.identity.linkerd.cluster.local`;
      const { csrDer } = await generateKeyAndCsr(identity);
      const req = { identity, token: Buffer.from(token), certificateSigningRequest: csrDer };
      await client.certify(req); // warm-up
      const latencies: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const start = performance.now();
        await client.certify(req);
        latencies.push(performance.now() - start);
      }
      report('Certify (TokenReview + sign)', latencies);
    } finally {
      await ctrl.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tb = await startTestbed({ timeoutSeconds: 600 });
try {
  const kubectlAdmin = (args: string[]) => kubectl(args, { kubeconfig: tb.adminKubeconfig });
  await kubectlAdmin(['create', 'namespace', NS]);
  await kubectlAdmin(['create', 'namespace', 'linkerd']);
  await kubectlAdmin(['create', 'serviceaccount', 'web', '-n', NS]);
  const kube = await KubeClient.connect({ kubeconfig: tb.adminKubeconfig });
  try {
    await benchDestination(kube, tb.adminKubeconfig);
  } finally {
    await kube.close();
  }
  await benchIdentity(tb.adminKubeconfig);
} finally {
  await tb.stop();
}
