import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toJson } from '@bufbuild/protobuf';
import { DestinationProfileSchema, WeightedAddrSchema } from '../../src/proto/gen/destination_pb.js';
import { podAddress } from '../../src/runtime/destination/address.js';
import type { DestinationConfig } from '../../src/runtime/destination/config.js';
import { buildEndpointSet, diffEndpointSets } from '../../src/runtime/destination/endpoints.js';
import type { EndpointSlice, MetaObject, Pod, Server, Service } from '../../src/runtime/destination/k8s-types.js';
import { tcpAddressToString } from '../../src/runtime/destination/net.js';
import { serviceProfileToProto } from '../../src/runtime/destination/profile.js';
import { resolveOwner, type ClusterView } from '../../src/runtime/destination/workload.js';

const CFG: DestinationConfig = {
  controllerNamespace: 'linkerd',
  trustDomain: 'cluster.local',
  clusterDomain: 'cluster.local',
  defaultOpaquePorts: new Set([25, 3306]),
  enableH2Upgrade: true,
  forceOpaqueTransport: false,
  enableIPv6: false,
  extEndpointZoneWeights: false,
  streamQueueCapacity: 100,
};

function meshedPod(
  name: string,
  ip: string,
  extra: { annotations?: Record<string, string>; labels?: Record<string, string>; rv?: string } = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'emojivoto',
      resourceVersion: extra.rv ?? '1',
      labels: { 'linkerd.io/control-plane-ns': 'linkerd', 'pod-template-hash': 'abc', app: 'web', ...extra.labels },
      annotations: extra.annotations ?? {},
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs' }],
    },
    spec: {
      serviceAccountName: 'web',
      nodeName: 'node-a',
      containers: [
        { name: 'web-svc', ports: [{ name: 'http', containerPort: 8080 }] },
        {
          name: 'linkerd-proxy',
          env: [
            { name: 'LINKERD2_PROXY_INBOUND_LISTEN_ADDR', value: '0.0.0.0:4143' },
            { name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value: '0.0.0.0:4191' },
            { name: 'LINKERD2_PROXY_CONTROL_LISTEN_ADDR', value: '0.0.0.0:4190' },
          ],
        },
      ],
    },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

function view(pods: Pod[], servers: Server[] = []): ClusterView {
  const rs: MetaObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-abc',
      namespace: 'emojivoto',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd' }],
    },
  };
  return {
    pod: (ns, name) => pods.find((p) => p.metadata.namespace === ns && p.metadata.name === name),
    replicaSet: (ns, name) => (ns === 'emojivoto' && name === 'web-abc' ? rs : undefined),
    job: () => undefined,
    serversIn: () => servers,
    nodeZone: (n) => (n === 'node-a' ? 'zone-a' : undefined),
  };
}

const SERVICE: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web-svc', namespace: 'emojivoto' },
  spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
};

function slice(endpoints: { ip: string; pod: string; ready?: boolean; zone?: string }[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-svc-x', namespace: 'emojivoto', labels: { 'kubernetes.io/service-name': 'web-svc' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true },
      ...(e.zone === undefined ? {} : { zone: e.zone }),
      targetRef: { kind: 'Pod', name: e.pod, namespace: 'emojivoto' },
    })),
  };
}

describe('pod addresses', () => {
  test('meshed pod: labels, identity, h2 hint, http2 params', () => {
    const pod = meshedPod('web-0', '10.0.0.1');
    const r = podAddress({ pod, ip: '10.0.0.1', port: 8080, zone: 'zone-a', clientZone: 'zone-a' }, CFG, view([pod]));
    assert.ok(r.ok);
    assert.deepEqual(toJson(WeightedAddrSchema, r.addr), {
      addr: { ip: { ipv4: 0x0a000001 }, port: 8080 },
      weight: 10000,
      metricLabels: {
        pod: 'web-0',
        deployment: 'web',
        serviceaccount: 'web',
        control_plane_ns: 'linkerd',
        pod_template_hash: 'abc',
        zone: 'zone-a',
        zone_locality: 'local',
      },
      tlsIdentity: {
        dnsLikeIdentity: { name: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local' },
        serverName: { name: 'web.emojivoto.serviceaccount.identity.linkerd.cluster.local' },
      },
      protocolHint: { h2: {} },
    });
  });

  test('opaque ports from the pod annotation (by name) and the default list', () => {
    const pod = meshedPod('web-0', '10.0.0.1', { annotations: { 'config.linkerd.io/opaque-ports': 'http' } });
    const r = podAddress({ pod, ip: '10.0.0.1', port: 8080 }, CFG, view([pod]));
    assert.ok(r.ok);
    assert.deepEqual((toJson(WeightedAddrSchema, r.addr) as { protocolHint?: unknown }).protocolHint, {
      opaque: {},
      opaqueTransport: { inboundPort: 4143 },
    });
    const plain = meshedPod('web-1', '10.0.0.2');
    const d = podAddress({ pod: plain, ip: '10.0.0.2', port: 3306 }, CFG, view([plain]));
    assert.ok(d.ok && d.opaque);
    // An explicit empty annotation means "no opaque ports", overriding the defaults.
    const none = meshedPod('web-2', '10.0.0.3', { annotations: { 'config.linkerd.io/opaque-ports': '' } });
    const n = podAddress({ pod: none, ip: '10.0.0.3', port: 3306 }, CFG, view([none]));
    assert.ok(n.ok && !n.opaque);
  });

  test('Server with proxyProtocol opaque marks the port opaque', () => {
    const pod = meshedPod('web-0', '10.0.0.1');
    const server: Server = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: { name: 's', namespace: 'emojivoto' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http', proxyProtocol: 'opaque' },
    };
    const r = podAddress({ pod, ip: '10.0.0.1', port: 8080 }, CFG, view([pod], [server]));
    assert.ok(r.ok && r.opaque);
  });

  test('transport-header mode forces opaque transport except on proxy ports', () => {
    const pod = meshedPod('web-0', '10.0.0.1');
    const cfg = { ...CFG, forceOpaqueTransport: true };
    const app = podAddress({ pod, ip: '10.0.0.1', port: 8080 }, cfg, view([pod]));
    assert.ok(app.ok);
    assert.equal(app.addr.protocolHint?.opaqueTransport?.inboundPort, 4143);
    const adminPort = podAddress({ pod, ip: '10.0.0.1', port: 4191 }, cfg, view([pod]));
    assert.ok(adminPort.ok);
    assert.equal(adminPort.addr.protocolHint?.opaqueTransport, undefined);
  });

  test('unmeshed, skipped, foreign control plane and broken proxies', () => {
    const unmeshed = meshedPod('a', '10.0.0.1');
    delete unmeshed.metadata.labels?.['linkerd.io/control-plane-ns'];
    const u = podAddress({ pod: unmeshed, ip: '10.0.0.1', port: 8080 }, CFG, view([unmeshed]));
    assert.ok(u.ok);
    assert.equal(u.addr.tlsIdentity, undefined);
    assert.equal(u.addr.protocolHint, undefined);
    const skipped = meshedPod('b', '10.0.0.2', { annotations: { 'config.linkerd.io/skip-inbound-ports': '8080' } });
    const s = podAddress({ pod: skipped, ip: '10.0.0.2', port: 8080 }, CFG, view([skipped]));
    assert.ok(s.ok && s.addr.tlsIdentity === undefined && s.addr.protocolHint === undefined);
    const foreign = meshedPod('c', '10.0.0.3', { labels: { 'linkerd.io/control-plane-ns': 'other' } });
    const f = podAddress({ pod: foreign, ip: '10.0.0.3', port: 8080 }, CFG, view([foreign]));
    assert.ok(f.ok && f.addr.tlsIdentity === undefined && f.addr.protocolHint !== undefined);
    const broken = meshedPod('d', '10.0.0.4');
    broken.spec!.containers = broken.spec!.containers!.filter((c) => c.name !== 'linkerd-proxy');
    const b = podAddress({ pod: broken, ip: '10.0.0.4', port: 8080 }, CFG, view([broken]));
    assert.equal(b.ok, false);
  });

  test('owner resolution', () => {
    const pod = meshedPod('web-0', '10.0.0.1');
    assert.deepEqual(resolveOwner(pod, view([pod])), { kind: 'deployment', name: 'web' });
    pod.metadata.ownerReferences = [];
    assert.deepEqual(resolveOwner(pod, view([pod])), { kind: 'pod', name: 'web-0' });
    pod.metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'j' }];
    assert.deepEqual(resolveOwner(pod, view([pod])), { kind: 'job', name: 'j' });
  });
});

describe('endpoint sets', () => {
  /** Port 80 of SERVICE, served by web-0 and web-1 (web-1 possibly not ready). */
  const webPort80 = (v: ClusterView, web1Ready: boolean) =>
    buildEndpointSet(
      {
        service: SERVICE,
        slices: [
          slice([
            { ip: '10.0.0.1', pod: 'web-0' },
            { ip: '10.0.0.2', pod: 'web-1', ...(web1Ready ? {} : { ready: false }) },
          ]),
        ],
        requestedPort: 80,
      },
      CFG,
      v,
    );

  test('named target port, readiness, and diffs', () => {
    const pods = [meshedPod('web-0', '10.0.0.1'), meshedPod('web-1', '10.0.0.2')];
    const v = view(pods);
    const first = webPort80(v, false);
    assert.deepEqual([...first.keys()], ['10.0.0.1:8080']);
    const second = webPort80(v, true);
    const d1 = diffEndpointSets(first, second);
    assert.deepEqual(
      d1.add.map((a) => tcpAddressToString(a.addr)),
      ['10.0.0.2:8080'],
    );
    assert.deepEqual(d1.remove, []);
    const d2 = diffEndpointSets(second, first);
    assert.deepEqual(d2.add, []);
    assert.deepEqual(
      d2.remove.map((a) => tcpAddressToString(a)),
      ['10.0.0.2:8080'],
    );
    // A pod update (new resourceVersion) re-adds the address.
    pods[0] = meshedPod('web-0', '10.0.0.1', { rv: '2' });
    const third = webPort80(view(pods), true);
    assert.deepEqual(
      diffEndpointSets(second, third).add.map((a) => tcpAddressToString(a.addr)),
      ['10.0.0.1:8080'],
    );
    assert.equal(diffEndpointSets(third, third).add.length, 0);
  });

  test('unknown port numbers are used as-is; unnamed slice ports do not match named targets', () => {
    const pods = [meshedPod('web-0', '10.0.0.1')];
    const set = buildEndpointSet(
      { service: SERVICE, slices: [slice([{ ip: '10.0.0.1', pod: 'web-0' }])], requestedPort: 9999 },
      CFG,
      view(pods),
    );
    assert.deepEqual([...set.keys()], ['10.0.0.1:9999']);
    const unnamed = { ...slice([{ ip: '10.0.0.1', pod: 'web-0' }]), ports: [{ port: 8080 }] };
    assert.equal(buildEndpointSet({ service: SERVICE, slices: [unnamed], requestedPort: 80 }, CFG, view(pods)).size, 0);
  });

  test('internalTrafficPolicy Local keeps same-node endpoints; IPv6 dropped when disabled', () => {
    const local = { ...SERVICE, spec: { ...SERVICE.spec, internalTrafficPolicy: 'Local' } };
    const pods = [meshedPod('web-0', '10.0.0.1')];
    const s = slice([{ ip: '10.0.0.1', pod: 'web-0' }]);
    assert.equal(
      buildEndpointSet({ service: local, slices: [s], requestedPort: 80, nodeName: 'node-a' }, CFG, view(pods)).size,
      1,
    );
    assert.equal(
      buildEndpointSet({ service: local, slices: [s], requestedPort: 80, nodeName: 'node-b' }, CFG, view(pods)).size,
      0,
    );
    const v6 = { ...slice([{ ip: 'fd00::1', pod: 'web-0' }]), addressType: 'IPv6' as const };
    assert.equal(buildEndpointSet({ service: SERVICE, slices: [v6], requestedPort: 80 }, CFG, view(pods)).size, 0);
    assert.equal(
      buildEndpointSet({ service: SERVICE, slices: [v6], requestedPort: 80 }, { ...CFG, enableIPv6: true }, view(pods))
        .size,
      1,
    );
  });
});

describe('service profiles', () => {
  test('default profile', () => {
    const p = serviceProfileToProto({
      fqn: 'web-svc.emojivoto.svc.cluster.local',
      service: { name: 'web-svc', namespace: 'emojivoto' },
      port: 80,
      opaque: false,
    });
    assert.deepEqual(toJson(DestinationProfileSchema, p), {
      fullyQualifiedName: 'web-svc.emojivoto.svc.cluster.local',
      retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
      parentRef: { resource: { group: 'core', kind: 'Service', name: 'web-svc', namespace: 'emojivoto', port: 80 } },
      profileRef: { resource: {} },
    });
  });

  test('routes, response classes, budget and overrides', () => {
    const p = serviceProfileToProto({
      fqn: 'web-svc.emojivoto.svc.cluster.local',
      service: { name: 'web-svc', namespace: 'emojivoto' },
      port: 80,
      opaque: true,
      profile: {
        apiVersion: 'linkerd.io/v1alpha2',
        kind: 'ServiceProfile',
        metadata: { name: 'web-svc.emojivoto.svc.cluster.local', namespace: 'emojivoto' },
        spec: {
          routes: [
            {
              name: 'GET /api/list',
              condition: { method: 'GET', pathRegex: '/api/list' },
              responseClasses: [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }],
              isRetryable: true,
              timeout: '300ms',
            },
            { name: 'any', condition: { any: [{ method: 'PURGE' }, { not: { pathRegex: '/x' } }] } },
          ],
          retryBudget: { retryRatio: 0.5, minRetriesPerSecond: 3, ttl: '30s' },
          dstOverrides: [
            { authority: 'web-v2.emojivoto.svc.cluster.local', weight: '500m' },
            { authority: 'web-v1.emojivoto.svc.cluster.local:8080', weight: 1 },
          ],
        },
      },
    });
    assert.deepEqual(toJson(DestinationProfileSchema, p), {
      fullyQualifiedName: 'web-svc.emojivoto.svc.cluster.local',
      opaqueProtocol: true,
      routes: [
        {
          condition: { all: { matches: [{ path: { regex: '/api/list' } }, { method: { registered: 'GET' } }] } },
          responseClasses: [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }],
          metricsLabels: { route: 'GET /api/list' },
          isRetryable: true,
          timeout: '0.300s',
        },
        {
          condition: { any: { matches: [{ method: { unregistered: 'PURGE' } }, { not: { path: { regex: '/x' } } }] } },
          metricsLabels: { route: 'any' },
        },
      ],
      retryBudget: { retryRatio: 0.5, minRetriesPerSecond: 3, ttl: '30s' },
      dstOverrides: [
        { authority: 'web-v2.emojivoto.svc.cluster.local:80', weight: 5000 },
        { authority: 'web-v1.emojivoto.svc.cluster.local:8080', weight: 10000 },
      ],
      parentRef: { resource: { group: 'core', kind: 'Service', name: 'web-svc', namespace: 'emojivoto', port: 80 } },
      profileRef: {
        resource: {
          group: 'linkerd.io',
          kind: 'ServiceProfile',
          name: 'web-svc.emojivoto.svc.cluster.local',
          namespace: 'emojivoto',
        },
      },
    });
  });

  test('a match without fields invalidates the profile', () => {
    assert.throws(
      () =>
        serviceProfileToProto({
          fqn: 'x',
          service: { name: 'x', namespace: 'y' },
          port: 80,
          opaque: false,
          profile: {
            apiVersion: 'linkerd.io/v1alpha2',
            kind: 'ServiceProfile',
            metadata: {},
            spec: { routes: [{ name: 'r', condition: {} }] },
          },
        }),
      /A request match must have a field set/,
    );
  });
});
