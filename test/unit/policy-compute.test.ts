import assert from 'node:assert/strict';
import { test } from 'node:test';
import { equals } from '@bufbuild/protobuf';
import { ServerSchema } from '../../src/proto/gen/inbound_pb.js';
import { cidrContains, parseCidr } from '../../src/runtime/policy/cidr.js';
import { logLevelOf, parsePolicyArgs } from '../../src/runtime/policy/flags.js';
import { inboundServer, probePaths, selectServer, type InboundSnapshot } from '../../src/runtime/policy/inbound.js';
import type { HttpRoute, Pod, Server, Service } from '../../src/runtime/policy/k8s-types.js';
import {
  serviceOutboundPolicy,
  parseGatewayDuration,
  type OutboundSnapshot,
} from '../../src/runtime/policy/outbound.js';
import { parseStatusRanges } from '../../src/runtime/policy/route-annotations.js';
import { validateHttpRoute, validateNetworkAuthentication } from '../../src/runtime/policy/validate.js';
import { parseWorkload } from '../../src/runtime/policy/workload.js';

const cfg = {
  identityDomain: 'cluster.local',
  controlPlaneNamespace: 'linkerd',
  clusterNetworks: [parseCidr('10.0.0.0/8')],
  probeNetworks: [parseCidr('0.0.0.0/0')],
  defaultPolicy: 'all-unauthenticated' as const,
};

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-0', namespace: 'web', labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }] },
};

function srv(name: string, created: string, port: number | string = 8080): Server {
  return {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: { name, namespace: 'web', creationTimestamp: created },
    spec: { podSelector: { matchLabels: { app: 'web' } }, port },
  };
}

function snapshot(servers: Server[] = [], routes: HttpRoute[] = [], services: Service[] = []) {
  const snap: InboundSnapshot & OutboundSnapshot = {
    namespace: () => undefined,
    servers: () => servers,
    serverAuthorizations: () => [],
    authorizationPolicies: () => [],
    httpRoutes: () => routes,
    grpcRoutes: () => [],
    rateLimits: () => [],
    tlsRoutes: () => [],
    tcpRoutes: () => [],
    meshTLS: () => undefined,
    network: () => undefined,
    service: (ns, n) => services.find((s) => s.metadata.namespace === ns && s.metadata.name === n),
  };
  return snap;
}

test('22: the oldest selecting Server wins, then the first by name', () => {
  const older = srv('b', '2026-01-01T00:00:00Z');
  const newer = srv('a', '2026-02-01T00:00:00Z');
  assert.equal(selectServer(pod, 8080, [newer, older])?.metadata.name, 'b');
  const tie = srv('a', '2026-01-01T00:00:00Z');
  assert.equal(selectServer(pod, 8080, [older, tie])?.metadata.name, 'a');
  assert.equal(selectServer(pod, 8080, [srv('named', '2026-01-01T00:00:00Z', 'http')])?.metadata.name, 'named');
  assert.equal(selectServer(pod, 9090, [older]), undefined);
});

test('38: recomputing an unchanged snapshot gives an equal message (a watch sends nothing new)', () => {
  const a = inboundServer(pod, 8080, snapshot([srv('s', '2026-01-01T00:00:00Z')]), cfg);
  const b = inboundServer(pod, 8080, snapshot([srv('s', '2026-01-01T00:00:00Z')]), cfg);
  assert.ok(equals(ServerSchema, a, b));
});

test('probe paths default to / and resolve named ports', () => {
  const probed: Pod = {
    ...pod,
    spec: {
      containers: [
        {
          name: 'web',
          ports: [{ name: 'http', containerPort: 8080 }],
          livenessProbe: { httpGet: { port: 'http' } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
          startupProbe: { httpGet: { path: '/other', port: 9000 } },
        },
      ],
    },
  };
  assert.deepEqual(probePaths(probed, 8080), ['/', '/ready']);
});

test('53: a backendRef to a missing Service fails its requests with 500', () => {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'web' },
    spec: { clusterIP: '10.0.0.1', ports: [{ port: 80 }] },
  };
  const route: HttpRoute = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'web' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'web' }],
      rules: [{ backendRefs: [{ name: 'gone', port: 80 }] }],
    },
  };
  const policy = serviceOutboundPolicy(svc, 80, undefined, snapshot([], [route], [svc]), {
    clusterDomain: 'cluster.local',
    clusterNetworks: [parseCidr('10.0.0.0/8')],
    defaultOpaquePorts: new Set(),
    allowL5dRequestHeaders: false,
  });
  const k = policy.protocol?.kind;
  const rule = k?.case === 'detect' ? k.value.http1?.routes[0]?.rules[0] : undefined;
  const dist = rule?.backends?.kind;
  const filter = dist?.case === 'randomAvailable' ? dist.value.backends[0]?.backend?.filters[0]?.kind : undefined;
  assert.equal(filter?.case, 'failureInjector');
  assert.equal(filter?.case === 'failureInjector' && filter.value.status, 500);
});

test('workloads: JSON pod, JSON external workload, legacy, invalid', () => {
  assert.deepEqual(parseWorkload('{"ns":"a","pod":"b"}'), { namespace: 'a', pod: 'b' });
  assert.deepEqual(parseWorkload('{"ns":"a","external_workload":"e"}'), { namespace: 'a', externalWorkload: 'e' });
  assert.deepEqual(parseWorkload('a:b'), { namespace: 'a', pod: 'b' });
  // As the injector renders LINKERD2_PROXY_POLICY_WORKLOAD, trailing newline included.
  assert.deepEqual(parseWorkload('{"ns":"emojivoto", "pod":"web-0"}\n'), { namespace: 'emojivoto', pod: 'web-0' });
  for (const bad of ['', 'a', 'a:b:c', '{"ns":"a"}', '{bad', '{"pod":"b"}'])
    assert.equal(parseWorkload(bad), undefined);
});

test('CIDRs: containment, host bits, IPv6', () => {
  assert.ok(cidrContains(parseCidr('10.0.0.0/8'), parseCidr('10.1.2.0/24')));
  assert.ok(!cidrContains(parseCidr('10.1.2.0/24'), parseCidr('10.0.0.0/8')));
  assert.ok(!cidrContains(parseCidr('10.0.0.0/8'), parseCidr('fd00::/8')));
  assert.equal(parseCidr('10.1.2.3/8').text, '10.0.0.0/8');
  assert.equal(parseCidr('::/0').text, '::/0');
  assert.throws(() => parseCidr('10.0.0.0/33'));
  assert.throws(() => parseCidr('nope'));
});

test('webhook validators: relative paths, negated networks, timeouts', () => {
  assert.match(
    validateHttpRoute('policy.linkerd.io', {}, { rules: [{ matches: [{ path: { type: 'Exact', value: 'api' } }] }] }) ??
      '',
    /^PathMatch paths must be absolute/,
  );
  assert.equal(
    validateNetworkAuthentication({ networks: [{ cidr: '10.0.0.0/16', except: ['10.0.0.0/8'] }] }),
    "cidr '10.0.0.0/16' is completely negated by exception '10.0.0.0/8'",
  );
  assert.equal(validateNetworkAuthentication({ networks: [] }), 'at least one network must be specified');
  assert.equal(
    validateHttpRoute('policy.linkerd.io', {}, { rules: [{ timeouts: { request: '1s', backendRequest: '2s' } }] }),
    'backendRequest timeout (2s) must not be greater than request timeout (1s)',
  );
  assert.match(
    validateHttpRoute(
      'policy.linkerd.io',
      { 'retry.linkerd.io/http': '700' },
      { parentRefs: [{ kind: 'Service', name: 's' }] },
    ) ?? '',
    /retry\.linkerd\.io\/http/,
  );
});

test('annotation values: status ranges and durations', () => {
  assert.deepEqual(parseStatusRanges('5xx, gateway-error,429,400-404'), [
    { start: 500, end: 599 },
    { start: 502, end: 504 },
    { start: 429, end: 429 },
    { start: 400, end: 404 },
  ]);
  assert.throws(() => parseStatusRanges('600'));
  assert.equal(parseGatewayDuration('1h30m'), 5_400_000);
  assert.equal(parseGatewayDuration('500ms'), 500);
});

test('flags: the chart arguments parse; log filters map to a level', () => {
  const inv = parsePolicyArgs(
    [
      '--admin-addr=[::]:9990',
      '--control-plane-namespace=linkerd',
      '--grpc-addr=[::]:8090',
      '--server-addr=[::]:9443',
      '--server-tls-key=/var/run/linkerd/tls/tls.key',
      '--server-tls-certs=/var/run/linkerd/tls/tls.crt',
      '--cluster-networks=10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8',
      '--identity-domain=cluster.local',
      '--cluster-domain=cluster.local',
      '--default-policy=all-unauthenticated',
      '--log-level=info',
      '--log-format=plain',
      '--default-opaque-ports=25,587,3306,4444,5432,6379,9300,11211',
      '--global-egress-network-namespace=linkerd-egress',
      '--probe-networks=0.0.0.0/0,::/0',
    ],
    {},
  );
  assert.equal(inv.kind, 'run');
  if (inv.kind === 'run') {
    assert.equal(inv.options.grpcAddr, '[::]:8090');
    assert.equal(inv.options.probeNetworks, '0.0.0.0/0,::/0');
  }
  assert.equal(logLevelOf('linkerd=debug,warn'), 'debug');
  assert.equal(logLevelOf('warn'), 'warn');
  assert.throws(() => parsePolicyArgs(['--nope'], {}));
});

test('73: a Service port appProtocol of http, kubernetes.io/h2c or linkerd.io/opaque fixes the protocol', () => {
  const svc = (appProtocol: string): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'web' },
    spec: { clusterIP: '10.0.0.1', ports: [{ port: 80, appProtocol }] },
  });
  const cfg = {
    clusterDomain: 'cluster.local',
    clusterNetworks: [parseCidr('10.0.0.0/8')],
    defaultOpaquePorts: new Set<number>(),
    allowL5dRequestHeaders: false,
  };
  const kind = (p: string) => serviceOutboundPolicy(svc(p), 80, undefined, snapshot(), cfg).protocol?.kind.case;
  assert.equal(kind('http'), 'http1');
  assert.equal(kind('kubernetes.io/h2c'), 'http2');
  assert.equal(kind('linkerd.io/opaque'), 'opaque');
  const warnings: string[] = [];
  serviceOutboundPolicy(svc('quic'), 80, undefined, snapshot(), cfg, (m) => warnings.push(m));
  assert.equal(kind('quic'), 'detect');
  assert.match(warnings[0] ?? '', /unknown appProtocol "quic"/);
});
