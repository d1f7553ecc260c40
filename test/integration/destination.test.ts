// The destination controller as a child process against the real kube-apiserver test bed. With no
// controller-manager or kubelet, the test plays their part: it writes Pod status and EndpointSlices.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { toJson } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import {
  Destination,
  DestinationProfileSchema,
  type DestinationProfile,
  type Update,
  type WeightedAddr,
} from '../../src/proto/gen/destination_pb.js';
import { DestinationClient } from '../../src/runtime/clients/destination-client.js';
import { GrpcChannel } from '../../src/runtime/clients/grpc-channel.js';
import { connectTransport } from '../support/connect-transport.js';
import { tcpAddressToString } from '../../src/runtime/destination/net.js';
import { withMetadata } from '../../src/manifests/crds/define.js';
import { serversCrd } from '../../src/manifests/crds/servers.js';
import { serviceProfilesCrd } from '../../src/manifests/crds/serviceprofiles.js';
import { eventually, freePort, startController, waitReady, type RunningController } from '../support/controllers.js';
import { endpointSliceObject, runningPodPatchArgs, workloadPod } from '../support/mesh-objects.js';
import { kubectl, startTestbed, type Testbed } from '../support/testbed.js';

const NS = 'emojivoto';
const AUTHORITY = `web-svc.${NS}.svc.cluster.local:80`;
const CONTEXT = JSON.stringify({ ns: NS, nodeName: 'node-a', pod: 'vote-bot' });
const WEB_ID = `web.${NS}.serviceaccount.identity.linkerd.cluster.local`;

function pod(name: string, opts: { meshed: boolean; annotations?: Record<string, string> }) {
  return workloadPod({
    name,
    namespace: NS,
    serviceAccount: 'web',
    app: 'web-svc',
    deployment: 'web',
    containers: [{ name: 'web-svc', image: 'web:v11', ports: [{ name: 'http', containerPort: 8080 }] }],
    ...opts,
  });
}

function dnsIdentity(addr: WeightedAddr | undefined): string | undefined {
  const strategy = addr?.tlsIdentity?.strategy;
  return strategy?.case === 'dnsLikeIdentity' ? strategy.value.name : undefined;
}

function slice(endpoints: { ip: string; pod: string }[]) {
  return endpointSliceObject(NS, 'web-svc', [{ name: 'http', port: 8080 }], endpoints);
}

describe('destination controller', () => {
  let tb: Testbed;
  let ctrl: RunningController;
  let grpcPort: number;
  let ctrlArgs: string[];
  let ctrlAdminPort: number;
  let raw: ReturnType<typeof createClient<typeof Destination>>;
  const abort = new AbortController();

  const admin = (args: string[], stdin?: string) =>
    kubectl(args, stdin === undefined ? { kubeconfig: tb.adminKubeconfig } : { kubeconfig: tb.adminKubeconfig, stdin });
  const apply = (obj: unknown) => admin(['apply', '-f', '-'], JSON.stringify(obj));

  async function runPod(name: string, ip: string, opts: { meshed: boolean; annotations?: Record<string, string> }) {
    await apply(pod(name, opts));
    await admin(runningPodPatchArgs(name, NS, ip));
  }

  /** Collects a raw stream's messages until the test ends. */
  function collect<T>(stream: AsyncIterable<T>): { items: T[]; error: Promise<unknown> } {
    const items: T[] = [];
    const error = (async () => {
      try {
        for await (const m of stream) items.push(m);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    return { items, error };
  }

  before(async () => {
    tb = await startTestbed();
    await admin(['create', 'namespace', NS]);
    await admin(['create', 'namespace', 'linkerd']);
    await admin(['create', 'serviceaccount', 'web', '-n', NS]);
    const meta = { controlPlaneNamespace: 'linkerd', createdBy: 'l5d/test', chartVersion: '2026.11.1' };
    await apply({
      apiVersion: 'v1',
      kind: 'List',
      items: [withMetadata(serviceProfilesCrd, meta), withMetadata(serversCrd, meta)],
    });
    await admin([
      'wait',
      '--for=condition=Established',
      'crd/serviceprofiles.linkerd.io',
      'crd/servers.policy.linkerd.io',
      '--timeout=30s',
    ]);
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web-svc', namespace: NS },
      spec: { selector: { app: 'web-svc' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    await runPod('web-0', '10.244.0.10', { meshed: true });
    await runPod('web-1', '10.244.0.11', { meshed: false });
    grpcPort = await freePort();
    const adminPort = await freePort();
    ctrlArgs = [
      '-log-level=debug',
      `-kubeconfig=${tb.adminKubeconfig}`,
      '-controller-namespace=linkerd',
      '-identity-trust-domain=cluster.local',
      '-cluster-domain=cluster.local',
      '-default-opaque-ports=25,587,3306,4444,5432,6379,9300,11211',
      '-enable-ipv6=false',
      '-outbound-transport-mode=transport-header',
      '-meshed-http2-client-params={"keep_alive":{"interval":{"seconds":10},"timeout":{"seconds":3},"while_idle":true}}',
      `-addr=127.0.0.1:${grpcPort}`,
      `-metrics-addr=127.0.0.1:${adminPort}`,
    ];
    ctrlAdminPort = adminPort;
    ctrl = startController('destination', ctrlArgs);
    await waitReady(ctrl, adminPort);
    raw = createClient(Destination, connectTransport(`127.0.0.1:${grpcPort}`));
  });

  after(async () => {
    abort.abort();
    await ctrl?.stop();
    await tb?.stop();
  });

  test('Get follows EndpointSlice and Pod changes with add/remove diffs', async () => {
    const stream = collect(raw.get({ path: AUTHORITY, contextToken: CONTEXT }, { signal: abort.signal }));
    const client = new DestinationClient({
      channel: new GrpcChannel({ address: `127.0.0.1:${grpcPort}` }),
      contextToken: CONTEXT,
    });
    const watch = client.resolve(AUTHORITY);
    try {
      await apply(slice([{ ip: '10.244.0.10', pod: 'web-0' }]));
      const first = await eventually(() => stream.items[0], 10_000, 'first update');
      assert.equal(first.update.case, 'add');
      const set = first.update.case === 'add' ? first.update.value : undefined;
      assert.deepEqual(set?.metricLabels, { service: 'web-svc', namespace: NS });
      const addr = set?.addrs[0];
      assert.equal(tcpAddressToString(addr?.addr), '10.244.0.10:8080');
      assert.equal(addr?.weight, 10000);
      assert.equal(addr?.tlsIdentity?.strategy.case, 'dnsLikeIdentity');
      assert.equal(dnsIdentity(addr), WEB_ID);
      assert.equal(addr?.tlsIdentity?.serverName?.name, WEB_ID);
      assert.equal(addr?.protocolHint?.protocol.case, 'h2');
      assert.equal(addr?.protocolHint?.opaqueTransport?.inboundPort, 4143);
      assert.equal(addr?.http2?.keepAlive?.interval?.seconds, 10n);
      assert.deepEqual(addr?.metricLabels, {
        pod: 'web-0',
        serviceaccount: 'web',
        control_plane_ns: 'linkerd',
        zone: '',
        zone_locality: 'unknown',
      } as Record<string, string>);

      await apply(
        slice([
          { ip: '10.244.0.10', pod: 'web-0' },
          { ip: '10.244.0.11', pod: 'web-1' },
        ]),
      );
      const second = await eventually(() => stream.items[1], 10_000, 'second update');
      assert.equal(second.update.case, 'add');
      const added = second.update.case === 'add' ? second.update.value.addrs : [];
      assert.deepEqual(
        added.map((a) => tcpAddressToString(a.addr)),
        ['10.244.0.11:8080'],
      );
      assert.equal(added[0]?.tlsIdentity, undefined, 'unmeshed pods carry no identity');
      assert.equal(added[0]?.protocolHint, undefined);

      await apply(slice([{ ip: '10.244.0.11', pod: 'web-1' }]));
      const third = await eventually(() => stream.items[2], 10_000, 'third update');
      assert.equal(third.update.case, 'remove');
      assert.deepEqual(third.update.case === 'remove' ? third.update.value.addrs.map(tcpAddressToString) : [], [
        '10.244.0.10:8080',
      ]);
      await eventually(
        () => (watch.state.size === 1 && watch.state.has('10.244.0.11:8080') ? true : undefined),
        10_000,
        'client view',
      );

      // Opaque-port annotation on the pod flips the protocol hint.
      await apply(
        slice([
          { ip: '10.244.0.10', pod: 'web-0' },
          { ip: '10.244.0.11', pod: 'web-1' },
        ]),
      );
      await admin(['annotate', 'pod', 'web-0', '-n', NS, 'config.linkerd.io/opaque-ports=8080']);
      const opaque = await eventually(
        () =>
          stream.items
            .flatMap((u: Update) => (u.update.case === 'add' ? u.update.value.addrs : []))
            .find(
              (a) => tcpAddressToString(a.addr) === '10.244.0.10:8080' && a.protocolHint?.protocol.case === 'opaque',
            ),
        10_000,
        'opaque hint',
      );
      assert.equal(opaque.protocolHint?.opaqueTransport?.inboundPort, 4143);

      await admin(['delete', 'endpointslice', 'web-svc-abcde', '-n', NS]);
      await eventually(() => (watch.state.size === 0 ? true : undefined), 10_000, 'all removed');
      const last = stream.items.at(-1);
      assert.equal(last?.update.case, 'remove');
      assert.deepEqual((last?.update.case === 'remove' ? last.update.value.addrs.map(tcpAddressToString) : []).sort(), [
        '10.244.0.10:8080',
        '10.244.0.11:8080',
      ]);
    } finally {
      client.close();
    }
  });

  test('Get errors', async () => {
    const status = async (path: string) => {
      try {
        for await (const _ of raw.get({ path })) break;
      } catch (err) {
        const e = ConnectError.from(err);
        return { code: e.code, message: e.rawMessage };
      }
      return undefined;
    };
    assert.deepEqual(await status(`nope.${NS}.svc.cluster.local:80`), {
      code: Code.NotFound,
      message: `Service nope.${NS} not found`,
    });
    assert.deepEqual(await status('10.0.0.1:80'), {
      code: Code.InvalidArgument,
      message: 'IP queries not supported by Get API: host=10.0.0.1',
    });
    assert.deepEqual(await status('web-svc.emojivoto:80'), {
      code: Code.InvalidArgument,
      message: 'Invalid authority: web-svc.emojivoto:80',
    });
  });

  test('GetProfile: default profile, ServiceProfile routes, opaque service ports', async () => {
    const stream = collect(raw.getProfile({ path: AUTHORITY, contextToken: CONTEXT }, { signal: abort.signal }));
    const first: DestinationProfile = await eventually(() => stream.items[0], 10_000, 'default profile');
    assert.deepEqual(toJson(DestinationProfileSchema, first), {
      fullyQualifiedName: `web-svc.${NS}.svc.cluster.local`,
      // retry_ratio is a proto float: 0.2 arrives as its float32 value.
      retryBudget: { retryRatio: Math.fround(0.2), minRetriesPerSecond: 10, ttl: '10s' },
      parentRef: { resource: { group: 'core', kind: 'Service', name: 'web-svc', namespace: NS, port: 80 } },
      profileRef: { resource: {} },
    });
    await apply({
      apiVersion: 'linkerd.io/v1alpha2',
      kind: 'ServiceProfile',
      metadata: { name: `web-svc.${NS}.svc.cluster.local`, namespace: NS },
      spec: {
        routes: [
          {
            name: 'GET /api/list',
            condition: { method: 'GET', pathRegex: '/api/list' },
            isRetryable: true,
            timeout: '250ms',
          },
        ],
      },
    });
    const second = await eventually(() => stream.items[1], 10_000, 'profile with routes');
    assert.equal(second.routes.length, 1);
    assert.deepEqual(second.routes[0]?.metricsLabels, { route: 'GET /api/list' });
    assert.equal(second.routes[0]?.isRetryable, true);
    assert.equal(second.routes[0]?.timeout?.nanos, 250_000_000);
    assert.equal(second.profileRef?.kind.case, 'resource');
    await admin(['annotate', 'service', 'web-svc', '-n', NS, 'config.linkerd.io/opaque-ports=80']);
    const third = await eventually(() => stream.items[2], 10_000, 'opaque profile');
    assert.equal(third.opaqueProtocol, true);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(stream.items.length, 3, 'identical profiles are not resent');
  });

  test('GetProfile by pod IP serves an endpoint profile', async () => {
    const stream = collect(
      raw.getProfile({ path: '10.244.0.10:8080', contextToken: CONTEXT }, { signal: abort.signal }),
    );
    const first = await eventually(() => stream.items[0], 10_000, 'endpoint profile');
    assert.equal(first.fullyQualifiedName, '');
    assert.equal(tcpAddressToString(first.endpoint?.addr), '10.244.0.10:8080');
    assert.equal(first.endpoint?.metricLabels.namespace, NS);
    assert.equal(dnsIdentity(first.endpoint), WEB_ID);
    assert.equal(first.opaqueProtocol, true, 'web-0 was annotated opaque on 8080');
    const unknown = collect(raw.getProfile({ path: '10.9.9.9:3306' }, { signal: abort.signal }));
    const u = await eventually(() => unknown.items[0], 10_000, 'unknown IP profile');
    assert.equal(tcpAddressToString(u.endpoint?.addr), '10.9.9.9:3306');
    assert.equal(u.opaqueProtocol, true, '3306 is a default opaque port');
  });

  test('metrics are exported', async () => {
    const port = Number(/-metrics-addr=127\.0\.0\.1:(\d+)/.exec(ctrl.proc.spawnargs.join(' '))?.[1]);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(
      text,
      /grpc_server_started_total\{grpc_type="server_stream",grpc_service="io.linkerd.proxy.destination.Destination",grpc_method="Get"\} \d+/,
    );
    assert.match(text, /endpoints_subscribers\{/);
    assert.match(text, /pod_cache_size\{cluster="local"\} \d+/);
  });

  test('the destination client survives a controller restart', async () => {
    await apply(slice([{ ip: '10.244.0.10', pod: 'web-0' }]));
    const client = new DestinationClient({
      channel: new GrpcChannel({ address: `127.0.0.1:${grpcPort}` }),
      contextToken: CONTEXT,
      minBackoffMs: 50,
      maxBackoffMs: 500,
    });
    try {
      const watch = client.resolve(AUTHORITY);
      await eventually(() => (watch.state.has('10.244.0.10:8080') ? true : undefined), 10_000, 'initial set');
      await ctrl.stop();
      // While the controller is down the set changes; the client keeps its last known state.
      await apply(slice([{ ip: '10.244.0.11', pod: 'web-1' }]));
      assert.deepEqual([...watch.state.keys()], ['10.244.0.10:8080']);
      ctrl = startController('destination', ctrlArgs);
      await waitReady(ctrl, ctrlAdminPort);
      // The first update of the new stream replaces the whole set.
      await eventually(
        () => (watch.state.size === 1 && watch.state.has('10.244.0.11:8080') ? true : undefined),
        15_000,
        'set after restart',
      );
      assert.ok(watch.connections >= 2);
    } finally {
      client.close();
    }
  });
});
