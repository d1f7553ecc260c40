// The policy controller as a child process against the real kube-apiserver test bed: the inbound
// and outbound policy APIs over connect-rpc, and the validating webhook behind a
// ValidatingWebhookConfiguration. The numbered statements are docs/policy-controller-checklist.md.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { InboundServerPolicies, type Authz, type Server as ServerProto } from '../../src/proto/gen/inbound_pb.js';
import { OutboundPolicies, type OutboundPolicy } from '../../src/proto/gen/outbound_pb.js';
import { tcpAddress } from '../../src/runtime/destination/net.js';
import { connectTransport } from '../support/connect-transport.js';
import { applyInstallCrds } from '../support/crds.js';
import { eventually, freePort, startController, waitReady, type RunningController } from '../support/controllers.js';
import { workloadPod, type ContainerObject } from '../support/mesh-objects.js';
import { kubectl, startTestbed, type Testbed } from '../support/testbed.js';
import { loopbackCertificate, validatingWebhookConfiguration } from '../support/webhooks.js';

const NS = 'web';
const P = 'policy.linkerd.io';
const GW = 'gateway.networking.k8s.io';

function ipText(net: Authz['networks'][number]['net']): string {
  const ip = net?.ip?.ip;
  if (ip?.case === 'ipv4') return `${[24, 16, 8, 0].map((s) => (ip.value >>> s) & 255).join('.')}/${net?.prefixLen}`;
  if (ip?.case === 'ipv6') return `${ip.value.first === 0n && ip.value.last === 0n ? '::' : 'v6'}/${net?.prefixLen}`;
  return '?';
}

const networks = (a: Authz | undefined) => (a?.networks ?? []).map((n) => ipText(n.net));
const meta = (a: { metadata?: { kind: { case?: string; value?: unknown } } } | undefined) => {
  const k = a?.metadata?.kind;
  if (k?.case === 'default') return `default:${String(k.value)}`;
  if (k?.case === 'resource') {
    const r = k.value as { group: string; kind: string; name: string };
    return `${r.group}/${r.kind}/${r.name}`;
  }
  return '';
};

function httpRoutes(s: ServerProto) {
  const k = s.protocol?.kind;
  if (k?.case === 'detect') return k.value.httpRoutes;
  if (k?.case === 'http1' || k?.case === 'http2') return k.value.routes;
  return [];
}

describe('policy controller', () => {
  let tb: Testbed;
  let ctrl: RunningController;
  let dir: string;
  let adminPort: number;
  let grpcAddr: string;
  let webhookAddr: string;
  let inbound: ReturnType<typeof createClient<typeof InboundServerPolicies>>;
  let outbound: ReturnType<typeof createClient<typeof OutboundPolicies>>;
  const abort = new AbortController();

  const admin = (args: string[], stdin?: string) =>
    kubectl(args, stdin === undefined ? { kubeconfig: tb.adminKubeconfig } : { kubeconfig: tb.adminKubeconfig, stdin });
  const apply = (obj: unknown) => admin(['apply', '-f', '-'], JSON.stringify(obj));
  const del = (kind: string, name: string) => admin(['delete', kind, name, '-n', NS, '--wait=false']);

  const workload = (pod: string) => JSON.stringify({ ns: NS, pod });

  async function pod(
    name: string,
    opts: { annotations?: Record<string, string>; containers?: ContainerObject[]; meshed?: boolean } = {},
  ) {
    await apply(
      workloadPod({
        name,
        namespace: NS,
        serviceAccount: 'web',
        app: name,
        deployment: name,
        containers: opts.containers ?? [
          { name: 'app', image: 'app:1', ports: [{ name: 'http', containerPort: 8080 }] },
        ],
        ...(opts.meshed === undefined ? {} : { meshed: opts.meshed }),
        ...(opts.annotations === undefined ? {} : { annotations: opts.annotations }),
      }),
    );
  }

  /** GetPort once the pod is indexed and `ready` holds for the answer. */
  function getPort(name: string, port: number, ready: (s: ServerProto) => boolean = () => true) {
    return eventually(
      async () => {
        const s = await inboundClient().getPort({ workload: workload(name), port });
        return ready(s) ? s : undefined;
      },
      10_000,
      `GetPort ${name}:${port}`,
    );
  }
  const inboundClient = () => inbound;

  async function rpcError(call: () => Promise<unknown>): Promise<ConnectError> {
    try {
      await call();
    } catch (err) {
      return ConnectError.from(err);
    }
    assert.fail('expected an error');
  }

  function server(name: string, port: number | string, proxyProtocol?: string, extra: object = {}) {
    return {
      apiVersion: `${P}/v1beta3`,
      kind: 'Server',
      metadata: { name, namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: name.replace(/-srv$/, '') } },
        port,
        ...(proxyProtocol ? { proxyProtocol } : {}),
        ...extra,
      },
    };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'l5d-policy-it-'));
    const [testbed] = await Promise.all([startTestbed(), loopbackCertificate(dir, 'linkerd-policy-validator')]);
    tb = testbed;
    await applyInstallCrds(admin, { gatewayApi: true });
    const grpcPort = await freePort();
    const webhookPort = await freePort();
    adminPort = await freePort();
    ctrl = startController('policy', [
      `--admin-addr=127.0.0.1:${adminPort}`,
      '--control-plane-namespace=linkerd',
      `--grpc-addr=127.0.0.1:${grpcPort}`,
      `--server-addr=127.0.0.1:${webhookPort}`,
      `--server-tls-key=${join(dir, 'tls.key')}`,
      `--server-tls-certs=${join(dir, 'tls.crt')}`,
      '--cluster-networks=10.0.0.0/8,fd00::/8',
      '--identity-domain=cluster.local',
      '--cluster-domain=cluster.local',
      '--default-policy=all-unauthenticated',
      '--log-level=info',
      '--log-format=plain',
      '--default-opaque-ports=25,587,3306',
      '--global-egress-network-namespace=linkerd-egress',
      '--probe-networks=0.0.0.0/0,::/0',
      `--kubeconfig=${tb.adminKubeconfig}`,
    ]);
    await waitReady(ctrl, adminPort);
    grpcAddr = `127.0.0.1:${grpcPort}`;
    webhookAddr = `127.0.0.1:${webhookPort}`;
    inbound = createClient(InboundServerPolicies, connectTransport(`127.0.0.1:${grpcPort}`));
    outbound = createClient(OutboundPolicies, connectTransport(`127.0.0.1:${grpcPort}`));
    await apply(
      validatingWebhookConfiguration(
        'linkerd-policy-validator-webhook-config',
        'linkerd-policy-validator.linkerd.io',
        webhookPort,
        dir,
        [
          {
            apiGroups: [P],
            apiVersions: ['*'],
            resources: [
              'authorizationpolicies',
              'httproutes',
              'networkauthentications',
              'meshtlsauthentications',
              'serverauthorizations',
              'servers',
              'httplocalratelimitpolicies',
            ],
          },
          { apiGroups: [GW], apiVersions: ['*'], resources: ['httproutes', 'grpcroutes'] },
        ],
      ),
    );
    await admin(['create', 'namespace', NS]);
    await admin(['create', 'namespace', 'linkerd']);
    await admin(['create', 'serviceaccount', 'default', '-n', NS]);
    await admin(['create', 'serviceaccount', 'web', '-n', NS]);
  });

  after(async () => {
    abort.abort();
    await ctrl?.stop();
    await tb?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  describe('InboundServerPolicies', () => {
    test('1-4: unknown pods, bad workloads and ports are refused; the legacy form is accepted', async () => {
      await pod('plain', { meshed: false });
      await pod('legacy');
      await getPort('legacy', 8080);
      const unknown = await rpcError(() => inbound.getPort({ workload: workload('plain'), port: 8080 }));
      assert.equal(unknown.code, Code.NotFound);
      assert.equal(unknown.rawMessage, 'unknown server');
      const bad = await rpcError(() => inbound.getPort({ workload: 'nope', port: 8080 }));
      assert.equal(bad.code, Code.InvalidArgument);
      assert.equal(bad.rawMessage, 'Invalid workload: nope');
      const port = await rpcError(() => inbound.getPort({ workload: workload('legacy'), port: 0 }));
      assert.equal(port.code, Code.InvalidArgument);
      assert.equal(port.rawMessage, 'Invalid port: 0');
      const legacy = await inbound.getPort({ workload: `${NS}:legacy`, port: 8080 });
      assert.equal(legacy.labels.kind, 'default');
    });

    test('5-10: the default server: labels, detect 10 s, allow-all authz, default and probe routes', async () => {
      await pod('probed', {
        containers: [
          {
            name: 'app',
            image: 'app:1',
            ports: [{ name: 'http', containerPort: 8080 }],
            livenessProbe: { httpGet: { path: '/live', port: 'http' } },
            readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          },
        ],
      });
      const s = await getPort('probed', 8080);
      assert.deepEqual({ ...s.labels }, { group: '', kind: 'default', name: 'all-unauthenticated' });
      assert.equal(s.protocol?.kind.case, 'detect');
      assert.equal(s.protocol?.kind.case === 'detect' && s.protocol.kind.value.timeout?.seconds, 10n);
      assert.equal(s.authorizations.length, 1);
      assert.deepEqual(networks(s.authorizations[0]), ['0.0.0.0/0', '::/0']);
      assert.equal(s.authorizations[0]?.authentication?.permit.case, 'unauthenticated');
      assert.equal(meta(s.authorizations[0]), 'default:all-unauthenticated');
      const routes = httpRoutes(s);
      assert.deepEqual(routes.map(meta), ['default:default', 'default:probe']);
      const path = routes[0]?.rules[0]?.matches[0]?.path?.kind;
      assert.deepEqual([path?.case, path?.value], ['prefix', '/']);
      const probe = routes[1];
      assert.deepEqual(
        probe?.rules[0]?.matches.map((m) => m.path?.kind.value),
        ['/live', '/ready'],
      );
      assert.equal(probe?.rules[0]?.matches[0]?.method?.type.case, 'registered');
      assert.deepEqual(networks(probe?.authorizations[0]), ['0.0.0.0/0', '::/0']);
      assert.equal(meta(probe?.authorizations[0]), 'default:probe');
      const other = await getPort('probed', 9090);
      assert.deepEqual(httpRoutes(other).map(meta), ['default:default']);
    });

    test('11-14: default-inbound-policy annotations: deny, cluster-authenticated, audit, invalid', async () => {
      const policy = (name: string, value: string) =>
        pod(name, { annotations: { 'config.linkerd.io/default-inbound-policy': value } });
      await policy('deny', 'deny');
      await policy('cluster-authn', 'cluster-authenticated');
      await policy('audit', 'audit');
      await policy('invalid', 'bogus');
      const deny = await getPort('deny', 8080);
      assert.equal(deny.labels.name, 'deny');
      assert.equal(deny.authorizations.length, 0);
      const cluster = await getPort('cluster-authn', 8080);
      assert.deepEqual(networks(cluster.authorizations[0]), ['10.0.0.0/8', 'v6/8']);
      const permit = cluster.authorizations[0]?.authentication?.permit;
      assert.equal(permit?.case, 'meshTLS');
      const clients = permit?.case === 'meshTLS' ? permit.value.clients : undefined;
      assert.equal(clients?.case, 'identities');
      assert.deepEqual(clients?.case === 'identities' ? clients.value.suffixes.map((s) => s.parts) : [], [[]]);
      const audit = await getPort('audit', 8080);
      assert.equal(meta(audit.authorizations[0]), 'default:audit');
      assert.equal(audit.authorizations[0]?.authentication?.permit.case, 'unauthenticated');
      assert.equal((await getPort('invalid', 8080)).labels.name, 'all-unauthenticated');
    });

    test('72: a namespace default-inbound-policy annotation applies to its pods without one', async () => {
      await admin(['create', 'namespace', 'locked']);
      await admin(['create', 'serviceaccount', 'default', '-n', 'locked']);
      await admin(['annotate', 'namespace', 'locked', 'config.linkerd.io/default-inbound-policy=deny']);
      await apply(
        workloadPod({
          name: 'p',
          namespace: 'locked',
          serviceAccount: 'default',
          app: 'p',
          deployment: 'p',
          containers: [{ name: 'app', image: 'app:1' }],
        }),
      );
      const s = await eventually(async () => {
        const r = await inbound
          .getPort({ workload: JSON.stringify({ ns: 'locked', pod: 'p' }), port: 8080 })
          .catch(() => undefined);
        return r?.labels.name === 'deny' ? r : undefined;
      });
      assert.equal(s.authorizations.length, 0);
    });

    test('15-16: opaque-ports and require-identity annotations on the default server', async () => {
      await pod('annotated', {
        annotations: {
          'config.linkerd.io/opaque-ports': '3306,4000-4002',
          'config.linkerd.io/proxy-require-identity-inbound-ports': '8443',
        },
      });
      assert.equal((await getPort('annotated', 4001)).protocol?.kind.case, 'opaque');
      assert.equal((await getPort('annotated', 8080)).protocol?.kind.case, 'detect');
      assert.equal((await getPort('annotated', 8443)).labels.name, 'all-authenticated');
    });

    test('17-21, 23: Servers pick the protocol and labels; names resolve; non-matching selectors do not apply', async () => {
      await pod('srv', {
        containers: [
          {
            name: 'app',
            image: 'app:1',
            ports: [
              { name: 'http', containerPort: 8080 },
              { name: 'admin', containerPort: 9000 },
            ],
          },
        ],
      });
      const cases: [number | string, string | undefined, string][] = [
        [3000, 'opaque', 'opaque'],
        [3001, 'HTTP/1', 'http1'],
        [3002, 'HTTP/2', 'http2'],
        [3003, 'gRPC', 'grpc'],
        [3004, 'TLS', 'tls'],
        [3005, undefined, 'detect'],
        ['admin', 'HTTP/1', 'http1'],
      ];
      for (const [port, proto] of cases) {
        await apply({ ...server(`srv-srv`, port, proto), metadata: { name: `srv-${String(port)}`, namespace: NS } });
      }
      for (const [port, , want] of cases) {
        const number = port === 'admin' ? 9000 : port;
        const s = await getPort('srv', number as number, (x) => x.labels.kind === 'server');
        assert.equal(s.protocol?.kind.case, want, `port ${String(port)}`);
        assert.deepEqual({ ...s.labels }, { group: P, kind: 'server', name: `srv-${String(port)}` });
        assert.equal(s.authorizations.length, 0);
      }
      await apply({
        ...server('srv-srv', 8080, 'HTTP/1'),
        metadata: { name: 'other-app', namespace: NS },
        spec: { podSelector: { matchLabels: { app: 'nobody' } }, port: 8080 },
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await getPort('srv', 8080)).labels.kind, 'default');
    });

    test('24-25: ServerAuthorizations: networks and service accounts', async () => {
      await pod('saz');
      await apply(server('saz-srv', 8080, 'HTTP/1'));
      await apply({
        apiVersion: `${P}/v1beta1`,
        kind: 'ServerAuthorization',
        metadata: { name: 'saz-net', namespace: NS },
        spec: { server: { name: 'saz-srv' }, client: { networks: [{ cidr: '10.1.0.0/16' }], unauthenticated: true } },
      });
      await apply({
        apiVersion: `${P}/v1beta1`,
        kind: 'ServerAuthorization',
        metadata: { name: 'saz-sa', namespace: NS },
        spec: { server: { name: 'saz-srv' }, client: { meshTLS: { serviceAccounts: [{ name: 'web' }] } } },
      });
      const s = await getPort('saz', 8080, (x) => x.authorizations.length === 2);
      const byName = Object.fromEntries(s.authorizations.map((a) => [meta(a), a]));
      const net = byName[`${P}/serverauthorization/saz-net`];
      assert.deepEqual(networks(net), ['10.1.0.0/16']);
      const sa = byName[`${P}/serverauthorization/saz-sa`];
      assert.deepEqual(networks(sa), ['10.0.0.0/8', 'v6/8'], 'no networks means the cluster networks');
      const permit = sa?.authentication?.permit;
      const clients = permit?.case === 'meshTLS' ? permit.value.clients : undefined;
      assert.deepEqual(clients?.case === 'identities' ? clients.value.identities.map((i) => i.name) : [], [
        'web.web.serviceaccount.identity.linkerd.cluster.local',
      ]);
      assert.equal(sa?.labels.kind, 'serverauthorization');
    });

    test('26-31: AuthorizationPolicies with MeshTLS and Network authentications, namespace targets, accessPolicy', async () => {
      await pod('ap');
      await apply(server('ap-srv', 8080, 'HTTP/1', { accessPolicy: 'cluster-unauthenticated' }));
      await apply({
        apiVersion: `${P}/v1alpha1`,
        kind: 'MeshTLSAuthentication',
        metadata: { name: 'ids', namespace: NS },
        spec: { identities: ['a.example.com', '*.example.com'] },
      });
      await apply({
        apiVersion: `${P}/v1alpha1`,
        kind: 'NetworkAuthentication',
        metadata: { name: 'nets', namespace: NS },
        spec: { networks: [{ cidr: '10.0.0.0/8', except: ['10.9.0.0/16'] }] },
      });
      const policy = (name: string, targetRef: object, refs: object[]) =>
        apply({
          apiVersion: `${P}/v1alpha1`,
          kind: 'AuthorizationPolicy',
          metadata: { name, namespace: NS },
          spec: { targetRef, requiredAuthenticationRefs: refs },
        });
      await policy('ap-mtls', { group: P, kind: 'Server', name: 'ap-srv' }, [
        { group: P, kind: 'MeshTLSAuthentication', name: 'ids' },
        { group: P, kind: 'NetworkAuthentication', name: 'nets' },
      ]);
      await policy('ap-missing', { group: P, kind: 'Server', name: 'ap-srv' }, [
        { group: P, kind: 'MeshTLSAuthentication', name: 'absent' },
      ]);
      await policy('ap-ns', { kind: 'Namespace', name: NS }, [{ kind: 'ServiceAccount', name: 'web' }]);
      const s = await getPort('ap', 8080, (x) => x.authorizations.length === 3);
      assert.deepEqual(s.authorizations.map(meta).sort(), [
        'default:cluster-unauthenticated',
        `${P}/authorizationpolicy/ap-mtls`,
        `${P}/authorizationpolicy/ap-ns`,
      ]);
      const mtls = s.authorizations.find((a) => meta(a).endsWith('ap-mtls'));
      const permit = mtls?.authentication?.permit;
      const clients = permit?.case === 'meshTLS' ? permit.value.clients : undefined;
      assert.deepEqual(clients?.case === 'identities' ? clients.value.identities.map((i) => i.name) : [], [
        'a.example.com',
      ]);
      assert.deepEqual(clients?.case === 'identities' ? clients.value.suffixes.map((x) => x.parts) : [], [
        ['example', 'com'],
      ]);
      assert.deepEqual(networks(mtls), ['10.0.0.0/8']);
      assert.deepEqual(
        mtls?.networks[0]?.except.map((e) => ipText(e)),
        ['10.9.0.0/16'],
      );
      assert.equal(mtls?.labels.kind, 'authorizationpolicy');
    });

    test('32-34: HTTPRoutes of both groups on a Server, with route authorizations', async () => {
      await pod('routes');
      await apply(server('routes-srv', 8080, 'HTTP/1'));
      await apply({
        apiVersion: `${P}/v1beta3`,
        kind: 'HTTPRoute',
        metadata: { name: 'api', namespace: NS },
        spec: {
          parentRefs: [{ group: P, kind: 'Server', name: 'routes-srv' }],
          rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }] }],
        },
      });
      await apply({
        apiVersion: `${GW}/v1`,
        kind: 'HTTPRoute',
        metadata: { name: 'gw', namespace: NS },
        spec: {
          parentRefs: [{ group: P, kind: 'Server', name: 'routes-srv' }],
          rules: [{ matches: [{ path: { type: 'Exact', value: '/gw' } }] }],
        },
      });
      await apply({
        apiVersion: `${P}/v1alpha1`,
        kind: 'AuthorizationPolicy',
        metadata: { name: 'api-authz', namespace: NS },
        spec: { targetRef: { group: P, kind: 'HTTPRoute', name: 'api' }, requiredAuthenticationRefs: [] },
      });
      const s = await getPort('routes', 8080, (x) => {
        const r = httpRoutes(x);
        return r.length === 2 && r.some((route) => route.authorizations.length === 1);
      });
      const routes = httpRoutes(s);
      assert.deepEqual(routes.map(meta).sort(), [`${GW}/HTTPRoute/gw`, `${P}/HTTPRoute/api`]);
      const api = routes.find((r) => meta(r) === `${P}/HTTPRoute/api`);
      const m = api?.rules[0]?.matches[0];
      assert.deepEqual([m?.path?.kind.case, m?.path?.kind.value], ['prefix', '/api']);
      assert.equal(m?.method?.type.case, 'registered');
      assert.equal(meta(api?.authorizations[0]), `${P}/authorizationpolicy/api-authz`);
    });

    test('35: a GRPCRoute on a gRPC Server', async () => {
      await pod('grpc');
      await apply(server('grpc-srv', 8080, 'gRPC'));
      await apply({
        apiVersion: `${GW}/v1`,
        kind: 'GRPCRoute',
        metadata: { name: 'emoji', namespace: NS },
        spec: {
          parentRefs: [{ group: P, kind: 'Server', name: 'grpc-srv' }],
          rules: [
            { matches: [{ method: { type: 'Exact', service: 'emojivoto.v1.EmojiService', method: 'ListAll' } }] },
          ],
        },
      });
      const s = await getPort('grpc', 8080, (x) => {
        const k = x.protocol?.kind;
        return k?.case === 'grpc' && k.value.routes.some((r) => meta(r) === `${GW}/GRPCRoute/emoji`);
      });
      const k = s.protocol?.kind;
      const rpc = k?.case === 'grpc' ? k.value.routes[0]?.rules[0]?.matches[0]?.rpc : undefined;
      assert.deepEqual([rpc?.service, rpc?.method], ['emojivoto.v1.EmojiService', 'ListAll']);
    });

    test('67: ExternalWorkloads are served like pods, Servers selecting them by externalWorkloadSelector', async () => {
      await apply({
        apiVersion: 'workload.linkerd.io/v1beta1',
        kind: 'ExternalWorkload',
        metadata: { name: 'vm-1', namespace: NS, labels: { app: 'vm' } },
        spec: {
          meshTLS: { identity: 'spiffe://root.linkerd.cluster.local/vm', serverName: 'vm.cluster.local' },
          workloadIPs: [{ ip: '192.0.2.10' }],
          ports: [{ name: 'http', port: 8080 }],
        },
      });
      await apply({
        apiVersion: `${P}/v1beta3`,
        kind: 'Server',
        metadata: { name: 'vm-srv', namespace: NS },
        spec: { externalWorkloadSelector: { matchLabels: { app: 'vm' } }, port: 'http', proxyProtocol: 'HTTP/2' },
      });
      const ext = JSON.stringify({ ns: NS, external_workload: 'vm-1' });
      const s = await eventually(async () => {
        const r = await inbound.getPort({ workload: ext, port: 8080 }).catch(() => undefined);
        return r?.labels.kind === 'server' ? r : undefined;
      });
      assert.equal(s.labels.name, 'vm-srv');
      assert.equal(s.protocol?.kind.case, 'http2');
      const other = await inbound.getPort({ workload: ext, port: 9090 });
      assert.equal(other.labels.kind, 'default');
      const missing = await rpcError(() =>
        inbound.getPort({ workload: JSON.stringify({ ns: NS, external_workload: 'nope' }), port: 8080 }),
      );
      assert.equal(missing.code, Code.NotFound);
    });

    test('68: an HTTPLocalRateLimitPolicy on a Server sets its local rate limit', async () => {
      await pod('limited');
      await apply(server('limited-srv', 8080, 'HTTP/1'));
      await apply({
        apiVersion: `${P}/v1alpha1`,
        kind: 'HTTPLocalRateLimitPolicy',
        metadata: { name: 'rl', namespace: NS },
        spec: {
          targetRef: { group: P, kind: 'Server', name: 'limited-srv' },
          total: { requestsPerSecond: 100 },
          identity: { requestsPerSecond: 20 },
          overrides: [{ requestsPerSecond: 50, clientRefs: [{ kind: 'ServiceAccount', name: 'web' }] }],
        },
      });
      const s = await getPort(
        'limited',
        8080,
        (x) => x.protocol?.kind.case === 'http1' && x.protocol.kind.value.localRateLimit !== undefined,
      );
      const rl = s.protocol?.kind.case === 'http1' ? s.protocol.kind.value.localRateLimit : undefined;
      assert.equal(meta(rl), `${P}/HTTPLocalRateLimitPolicy/rl`);
      assert.equal(rl?.total?.requestsPerSecond, 100);
      assert.equal(rl?.identity?.requestsPerSecond, 20);
      assert.deepEqual(
        rl?.overrides.map((o) => [o.limit?.requestsPerSecond, o.clients?.identities.map((i) => i.name)]),
        [[50, ['web.web.serviceaccount.identity.linkerd.cluster.local']]],
      );
    });

    test('36-37: WatchPort follows AuthorizationPolicy changes and Server deletion within 1 s', async () => {
      await pod('watched');
      await apply(server('watched-srv', 8080, 'HTTP/1'));
      await getPort('watched', 8080, (x) => x.labels.kind === 'server');
      const seen: ServerProto[] = [];
      const stream = inbound.watchPort({ workload: workload('watched'), port: 8080 }, { signal: abort.signal });
      void (async () => {
        try {
          for await (const m of stream) seen.push(m);
        } catch {
          // aborted at the end of the run
        }
      })();
      await eventually(() => (seen.length >= 1 ? true : undefined), 5000, 'first message');
      // The namespace-wide AuthorizationPolicy of test 29 applies here too.
      const before = seen[0]?.authorizations.length ?? 0;
      let t0 = Date.now();
      await apply({
        apiVersion: `${P}/v1alpha1`,
        kind: 'AuthorizationPolicy',
        metadata: { name: 'watched-authz', namespace: NS },
        spec: { targetRef: { group: P, kind: 'Server', name: 'watched-srv' }, requiredAuthenticationRefs: [] },
      });
      await eventually(
        () => (seen.at(-1)?.authorizations.length === before + 1 ? true : undefined),
        1000,
        'authz pushed',
      );
      assert.ok(Date.now() - t0 < 1500);
      t0 = Date.now();
      await del('server', 'watched-srv');
      await eventually(() => (seen.at(-1)?.labels.kind === 'default' ? true : undefined), 1000, 'default pushed');
      assert.ok(Date.now() - t0 < 1500);
    });
  });

  describe('OutboundPolicies', () => {
    let clusterIP: string;

    before(async () => {
      await apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'web-svc',
          namespace: NS,
          annotations: {
            'config.linkerd.io/opaque-ports': '9999',
            'timeout.linkerd.io/request': '5s',
            'retry.linkerd.io/http': '5xx,429',
            'retry.linkerd.io/limit': '3',
            'balancer.linkerd.io/failure-accrual': 'consecutive',
          },
        },
        spec: {
          selector: { app: 'web' },
          ports: [
            { name: 'http', port: 80, targetPort: 8080 },
            { name: 'db', port: 3306 },
            { name: 'opaque', port: 9999 },
            { name: 'grpc', port: 8081 },
          ],
        },
      });
      clusterIP = (await admin(['get', 'service', 'web-svc', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    });

    const getByAddr = (port: number, ready: (p: OutboundPolicy) => boolean = () => true) =>
      eventually(
        async () => {
          const p = await outbound.get({
            sourceWorkload: workload('client'),
            target: { case: 'addr', value: tcpAddress(clusterIP, port) },
          });
          return ready(p) ? p : undefined;
        },
        10_000,
        `outbound ${port}`,
      );

    function detectRoutes(p: OutboundPolicy) {
      const k = p.protocol?.kind;
      return k?.case === 'detect' ? (k.value.http1?.routes ?? []) : [];
    }

    test('39-41, 48-50: a Service port: metadata, detect, the default route, balancer, annotations', async () => {
      const p = await getByAddr(80);
      const m = p.metadata?.kind;
      assert.equal(m?.case, 'resource');
      assert.deepEqual(
        m?.case === 'resource' ? [m.value.group, m.value.kind, m.value.name, m.value.namespace, m.value.port] : [],
        ['core', 'Service', 'web-svc', NS, 80],
      );
      const k = p.protocol?.kind;
      assert.equal(k?.case, 'detect');
      assert.equal(k?.case === 'detect' && k.value.timeout?.seconds, 10n);
      assert.ok(k?.case === 'detect' && k.value.opaque !== undefined && k.value.http2 !== undefined);
      const routes = detectRoutes(p);
      assert.deepEqual(routes.map(meta), ['default:http']);
      const rule = routes[0]?.rules[0];
      const dist = rule?.backends?.kind;
      assert.equal(dist?.case, 'firstAvailable');
      const backend = dist?.case === 'firstAvailable' ? dist.value.backends[0]?.backend : undefined;
      const bal = backend?.kind;
      assert.equal(bal?.case, 'balancer');
      if (bal?.case === 'balancer') {
        const disc = bal.value.discovery?.kind;
        assert.equal(disc?.case === 'dst' && disc.value.path, `web-svc.${NS}.svc.cluster.local:80`);
        const load = bal.value.load;
        assert.equal(load.case, 'peakEwma');
        assert.equal(load.case === 'peakEwma' && load.value.defaultRtt?.nanos, 30_000_000);
        assert.equal(load.case === 'peakEwma' && load.value.decay?.seconds, 10n);
      }
      assert.equal(backend?.queue?.capacity, 100);
      assert.equal(backend?.queue?.failfastTimeout?.seconds, 3n);
      assert.equal(rule?.timeouts?.request?.seconds, 5n);
      assert.equal(rule?.retry?.maxRetries, 3);
      assert.deepEqual(
        rule?.retry?.conditions?.statusRanges.map((r) => [r.start, r.end]),
        [
          [500, 599],
          [429, 429],
        ],
      );
      const fa = k?.case === 'detect' ? k.value.http1?.failureAccrual?.kind : undefined;
      assert.equal(fa?.case, 'consecutiveFailures');
      if (fa?.case === 'consecutiveFailures') {
        assert.equal(fa.value.maxFailures, 7);
        assert.equal(fa.value.backoff?.minBackoff?.seconds, 1n);
        assert.equal(fa.value.backoff?.maxBackoff?.seconds, 60n);
        assert.ok(Math.abs((fa.value.backoff?.jitterRatio ?? 0) - 0.5) < 1e-6);
      }
    });

    test('42-45: opaque ports, unknown addresses and authorities', async () => {
      assert.equal((await getByAddr(9999)).protocol?.kind.case, 'opaque');
      await apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'db', namespace: NS },
        spec: { selector: { app: 'db' }, ports: [{ port: 3306 }] },
      });
      const dbIP = (await admin(['get', 'service', 'db', '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
      const db = await eventually(() =>
        outbound
          .get({ sourceWorkload: '', target: { case: 'addr', value: tcpAddress(dbIP, 3306) } })
          .catch(() => undefined),
      );
      assert.equal(db.protocol?.kind.case, 'opaque', 'default opaque ports apply without an annotation');
      const missing = await rpcError(() =>
        outbound.get({ sourceWorkload: '', target: { case: 'addr', value: tcpAddress('10.255.0.1', 80) } }),
      );
      assert.equal(missing.code, Code.NotFound);
      assert.equal(missing.rawMessage, 'No such service');
      const external = await outbound.get({
        sourceWorkload: '',
        target: { case: 'addr', value: tcpAddress('192.0.2.1', 443) },
      });
      assert.equal(meta(external), 'default:egress-fallback');
      const ek = external.protocol?.kind;
      const fwd = ek?.case === 'detect' ? ek.value.http1?.routes[0]?.rules[0]?.backends?.kind : undefined;
      const fwdBackend = fwd?.case === 'firstAvailable' ? fwd.value.backends[0]?.backend?.kind : undefined;
      assert.equal(fwdBackend?.case, 'forward');
      assert.equal(fwdBackend?.case === 'forward' && fwdBackend.value.addr?.port, 443);
      const byName = await outbound.get({
        sourceWorkload: '',
        target: { case: 'authority', value: `web-svc.${NS}.svc.cluster.local:80` },
      });
      assert.equal(byName.protocol?.kind.case, 'detect');
    });

    test('46-47, 52: an HTTPRoute on the Service, followed by Watch within 1 s', async () => {
      const seen: OutboundPolicy[] = [];
      const stream = outbound.watch(
        { sourceWorkload: workload('client'), target: { case: 'addr', value: tcpAddress(clusterIP, 80) } },
        { signal: abort.signal },
      );
      void (async () => {
        try {
          for await (const m of stream) seen.push(m);
        } catch {
          // aborted at the end of the run
        }
      })();
      await eventually(() => (seen.length >= 1 ? true : undefined), 5000, 'first outbound message');
      const t0 = Date.now();
      await apply({
        apiVersion: `${GW}/v1`,
        kind: 'HTTPRoute',
        metadata: { name: 'split', namespace: NS },
        spec: {
          parentRefs: [{ group: '', kind: 'Service', name: 'web-svc', port: 80 }],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: '/' } }],
              filters: [
                { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-l5d', value: 'yes' }] } },
              ],
              backendRefs: [
                { name: 'web-svc', port: 80, weight: 90 },
                { name: 'db', port: 3306, weight: 10 },
              ],
            },
          ],
        },
      });
      const last = await eventually(
        () => {
          const p = seen.at(-1);
          return p !== undefined && detectRoutes(p).some((r) => meta(r) === `${GW}/HTTPRoute/split`) ? p : undefined;
        },
        1000,
        'route pushed',
      );
      assert.ok(Date.now() - t0 < 1500);
      const rule = detectRoutes(last)[0]?.rules[0];
      assert.equal(rule?.filters[0]?.kind.case, 'requestHeaderModifier');
      const dist = rule?.backends?.kind;
      assert.equal(dist?.case, 'randomAvailable');
      assert.deepEqual(dist?.case === 'randomAvailable' ? dist.value.backends.map((b) => b.weight) : [], [90, 10]);
    });

    test('51: a GRPCRoute on the Service makes the protocol gRPC', async () => {
      await apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'emoji-svc', namespace: NS },
        spec: { selector: { app: 'emoji' }, ports: [{ name: 'grpc', port: 8080 }] },
      });
      await apply({
        apiVersion: `${GW}/v1`,
        kind: 'GRPCRoute',
        metadata: { name: 'emoji-out', namespace: NS },
        spec: { parentRefs: [{ group: '', kind: 'Service', name: 'emoji-svc', port: 8080 }], rules: [{}] },
      });
      const p = await eventually(async () => {
        const r = await outbound
          .get({ sourceWorkload: '', target: { case: 'authority', value: `emoji-svc.${NS}.svc.cluster.local:8080` } })
          .catch(() => undefined);
        return r?.protocol?.kind.case === 'grpc' ? r : undefined;
      });
      assert.equal(p.protocol?.kind.case, 'grpc');
    });
  });

  describe('OutboundPolicies with TCP and TLS routes', () => {
    test("70: a TCPRoute on a Service port makes it opaque with the route's weighted backends; a TLSRoute makes it TLS with its SNIs", async () => {
      await apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'l4-svc', namespace: NS },
        spec: {
          selector: { app: 'l4' },
          ports: [
            { name: 'tcp', port: 7000 },
            { name: 'tls', port: 7443 },
          ],
        },
      });
      await apply({
        apiVersion: `${GW}/v1alpha2`,
        kind: 'TCPRoute',
        metadata: { name: 'tcp', namespace: NS },
        spec: {
          parentRefs: [{ group: '', kind: 'Service', name: 'l4-svc', port: 7000 }],
          rules: [{ backendRefs: [{ name: 'l4-svc', port: 7000, weight: 3 }] }],
        },
      });
      await apply({
        apiVersion: `${GW}/v1alpha2`,
        kind: 'TLSRoute',
        metadata: { name: 'tls', namespace: NS },
        spec: {
          parentRefs: [{ group: '', kind: 'Service', name: 'l4-svc', port: 7443 }],
          hostnames: ['*.example.com'],
          rules: [{ backendRefs: [{ name: 'l4-svc', port: 7443 }] }],
        },
      });
      const get = (port: number, want: string) =>
        eventually(async () => {
          const p = await outbound
            .get({ sourceWorkload: '', target: { case: 'authority', value: `l4-svc.${NS}.svc.cluster.local:${port}` } })
            .catch(() => undefined);
          return p?.protocol?.kind.case === want ? p : undefined;
        });
      const tcp = await get(7000, 'opaque');
      const route = tcp.protocol?.kind.case === 'opaque' ? tcp.protocol.kind.value.routes[0] : undefined;
      assert.equal(meta(route), `${GW}/TCPRoute/tcp`);
      const dist = route?.rules[0]?.backends?.kind;
      assert.deepEqual(dist?.case === 'randomAvailable' ? dist.value.backends.map((b) => b.weight) : [], [3]);
      const tls = await get(7443, 'tls');
      const tlsRoute = tls.protocol?.kind.case === 'tls' ? tls.protocol.kind.value.routes[0] : undefined;
      assert.equal(meta(tlsRoute), `${GW}/TLSRoute/tls`);
      const sni = tlsRoute?.snis[0]?.match;
      assert.deepEqual(sni?.case === 'suffix' ? sni.value.reverseLabels : [], ['com', 'example']);
    });
  });

  describe('validating webhook', () => {
    const refused = async (obj: unknown, message: string) => {
      const res = await admin(['create', '-f', '-', '--dry-run=server'], JSON.stringify(obj)).then(
        () => undefined,
        (err: Error) => err.message,
      );
      assert.ok(res !== undefined, `expected a refusal: ${message}`);
      assert.ok(res.includes('admission webhook "linkerd-policy-validator.linkerd.io" denied the request'), res);
      assert.ok(res.includes(message), res);
    };
    const authzPolicy = (targetRef: object, refs: object[] = []) => ({
      apiVersion: `${P}/v1alpha1`,
      kind: 'AuthorizationPolicy',
      metadata: { name: 'x', namespace: NS },
      spec: { targetRef, requiredAuthenticationRefs: refs },
    });

    test('54: another namespace as target', () =>
      refused(authzPolicy({ kind: 'Namespace', name: 'other' }), 'cannot target another namespace: other'));

    test('55: two MeshTLSAuthentications', () =>
      refused(
        authzPolicy({ group: P, kind: 'Server', name: 's' }, [
          { group: P, kind: 'MeshTLSAuthentication', name: 'a' },
          { group: P, kind: 'MeshTLSAuthentication', name: 'b' },
        ]),
        'only a single MeshTLSAuthentication may be set',
      ));

    test('56: an unsupported authentication kind', () =>
      refused(
        authzPolicy({ group: P, kind: 'Server', name: 's' }, [{ group: 'apps', kind: 'Deployment', name: 'd' }]),
        'unsupported authentication kind(s): Deployment.apps',
      ));

    test('57: an unsupported target kind', () =>
      refused(authzPolicy({ group: '', kind: 'Pod', name: 'p' }), 'invalid targetRef kind: Pod'));

    test('58: an identity that is neither SPIFFE nor DNS-like', () =>
      refused(
        {
          apiVersion: `${P}/v1alpha1`,
          kind: 'MeshTLSAuthentication',
          metadata: { name: 'x', namespace: NS },
          spec: { identities: ['Not_Valid!'] },
        },
        'id Not_Valid! is invalid',
      ));

    test('59: a network exception outside the CIDR', () =>
      refused(
        {
          apiVersion: `${P}/v1alpha1`,
          kind: 'NetworkAuthentication',
          metadata: { name: 'x', namespace: NS },
          spec: { networks: [{ cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] }] },
        },
        "cidr '10.0.0.0/16' does not include exception '192.168.0.0/24'",
      ));

    test('60: an unknown accessPolicy', () =>
      refused(
        {
          ...server('x-srv', 8080, undefined, { accessPolicy: 'allow-everything' }),
          metadata: { name: 'x', namespace: NS },
        },
        "Invalid 'accessPolicy' field",
      ));

    test('61: unauthenticated together with meshTLS', () =>
      refused(
        {
          apiVersion: `${P}/v1beta1`,
          kind: 'ServerAuthorization',
          metadata: { name: 'x', namespace: NS },
          spec: { server: { name: 's' }, client: { unauthenticated: true, meshTLS: { identities: ['*'] } } },
        },
        '`unauthenticated` must be false if `mesh_tls` is specified',
      ));

    test('62: a relative path match', () =>
      refused(
        {
          apiVersion: `${P}/v1beta3`,
          kind: 'HTTPRoute',
          metadata: { name: 'x', namespace: NS },
          spec: {
            parentRefs: [{ group: P, kind: 'Server', name: 's' }],
            rules: [{ matches: [{ path: { type: 'RegularExpression', value: '(' } }] }],
          },
        },
        'regex parse error',
      ));

    test('69: a rate limit whose identity limit exceeds the total', () =>
      refused(
        {
          apiVersion: `${P}/v1alpha1`,
          kind: 'HTTPLocalRateLimitPolicy',
          metadata: { name: 'x', namespace: NS },
          spec: {
            targetRef: { group: P, kind: 'Server', name: 's' },
            total: { requestsPerSecond: 10 },
            identity: { requestsPerSecond: 20 },
          },
        },
        'identity.requestsPerSecond must be less than or equal to total.requestsPerSecond',
      ));

    test('71: a Server selecting the same pods and port as another is refused', () =>
      refused(
        { ...server('srv-srv', 3000, 'opaque'), metadata: { name: 'dup', namespace: NS } },
        `Server spec '${NS}/srv-3000' already defines a policy for port 3000, and selects pods that would be selected by this Server`,
      ));

    test('63: valid objects are admitted, and the admin server answers', async () => {
      await admin(
        ['create', '-f', '-', '--dry-run=server'],
        JSON.stringify(authzPolicy({ group: P, kind: 'Server', name: 's' }, [{ kind: 'ServiceAccount', name: 'web' }])),
      );
      for (const path of ['/live', '/ready', '/metrics']) {
        assert.equal((await fetch(`http://127.0.0.1:${adminPort}${path}`)).status, 200, path);
      }
    });
  });

  describe('route status and robustness', () => {
    type Stored = {
      status?: {
        parents?: {
          parentRef: { name: string };
          controllerName: string;
          conditions: { type: string; status: string; reason: string }[];
        }[];
      };
    };
    const status = async (kind: string, name: string) =>
      (JSON.parse((await admin(['get', kind, name, '-n', NS, '-o', 'json'])).stdout) as Stored).status?.parents ?? [];
    const conditions = (parents: NonNullable<NonNullable<Stored['status']>['parents']>, parent: string) =>
      Object.fromEntries(
        (
          parents.find((p) => p.parentRef.name === parent && p.controllerName === 'linkerd.io/policy-controller')
            ?.conditions ?? []
        ).map((c) => [c.type, `${c.status}/${c.reason}`]),
      );

    test('64: the status Lease policy-controller-write is held in the control-plane namespace', async () => {
      const lease = await eventually(
        async () => {
          const res = await admin(['get', 'lease', 'policy-controller-write', '-n', 'linkerd', '-o', 'json']).catch(
            () => undefined,
          );
          return res === undefined
            ? undefined
            : (JSON.parse(res.stdout) as { spec: { holderIdentity?: string; leaseDurationSeconds?: number } });
        },
        15_000,
        'lease',
      );
      assert.ok((lease.spec.holderIdentity ?? '') !== '');
      assert.equal(lease.spec.leaseDurationSeconds, 30);
    });

    test('65: routes get Accepted and ResolvedRefs per Service or Server parent', async () => {
      await apply({
        apiVersion: `${GW}/v1`,
        kind: 'HTTPRoute',
        metadata: { name: 'status-route', namespace: NS },
        spec: {
          parentRefs: [
            { group: '', kind: 'Service', name: 'web-svc', port: 80 },
            { group: '', kind: 'Service', name: 'no-such-svc', port: 80 },
            { group: P, kind: 'Server', name: 'routes-srv' },
          ],
          rules: [{ backendRefs: [{ name: 'missing-backend', port: 80 }] }],
        },
      });
      const parents = await eventually(
        async () => {
          const p = await status('httproutes.gateway.networking.k8s.io', 'status-route');
          return p.length === 3 ? p : undefined;
        },
        15_000,
        'route status',
      );
      assert.deepEqual(conditions(parents, 'web-svc'), {
        Accepted: 'True/Accepted',
        ResolvedRefs: 'False/BackendNotFound',
      });
      assert.deepEqual(conditions(parents, 'no-such-svc'), {
        Accepted: 'False/NoMatchingParent',
        ResolvedRefs: 'False/BackendNotFound',
      });
      assert.deepEqual(conditions(parents, 'routes-srv'), {
        Accepted: 'True/Accepted',
        ResolvedRefs: 'False/BackendNotFound',
      });
      const api = await eventually(
        async () => {
          const p = await status('httproutes.policy.linkerd.io', 'api');
          return p.length === 1 ? p : undefined;
        },
        15_000,
        'policy route status',
      );
      assert.deepEqual(conditions(api, 'routes-srv'), { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' });
    });

    test('66: oversized gRPC messages, bad webhook requests and garbage bodies are answered; the controller lives on', async () => {
      const big = await rpcError(() => inbound.getPort({ workload: 'x'.repeat(5 * 1024 * 1024), port: 80 }));
      assert.equal(big.code, Code.ResourceExhausted);
      const https = await import('node:https');
      const call = (method: string, path: string, body?: string) =>
        new Promise<number>((resolve, reject) => {
          const req = https.request(`https://${webhookAddr}${path}`, { method, rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end(body);
        });
      assert.equal(await call('GET', '/'), 404);
      assert.equal(await call('POST', '/other', '{}'), 404);
      assert.equal(await call('POST', '/', '{not json'), 400);
      const review = JSON.stringify({
        request: { uid: 'u', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, object: {} },
      });
      assert.equal(await call('POST', '/', review), 200);
      const again = await inbound.getPort({ workload: workload('legacy'), port: 8080 });
      assert.equal(again.labels.kind, 'default');
      assert.equal(ctrl.proc.exitCode, null);
      assert.ok(grpcAddr.length > 0);
    });
  });
});
