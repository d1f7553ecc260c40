import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { V1Container, V1EnvVar, V1PodSpec } from '@kubernetes/client-node';
import {
  applySidecarToPodSpec,
  buildSidecar,
  podInboundPorts,
  type SidecarInput,
} from '../../src/manifests/sidecar/index.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import { deepMerge } from '../../src/manifests/values/merge.js';
import type { Values } from '../../src/manifests/values/types.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function values(overlay: Record<string, unknown> = {}): Values {
  return deepMerge(defaultValues('test-version'), { identityTrustAnchorsPEM: PEM, ...overlay });
}

const app: V1PodSpec = {
  containers: [
    {
      name: 'web',
      ports: [{ containerPort: 9090 }, { containerPort: 80 }],
      readinessProbe: { httpGet: { path: '/', port: 11211 } },
      livenessProbe: { httpGet: { path: '/', port: 'http' } },
    },
  ],
};

function input(overlay: Record<string, unknown> = {}, extra: Partial<SidecarInput> = {}): SidecarInput {
  return {
    values: values(overlay),
    controlPlaneNamespace: 'linkerd',
    podNamespace: 'emojivoto',
    podSpec: app,
    ...extra,
  };
}

const envMap = (c: V1Container) => new Map((c.env ?? []).map((e) => [e.name, e]));
const envValue = (c: V1Container, name: string) => envMap(c).get(name)?.value;

test('workload proxy env follows inject.md §6.4 order and values', () => {
  const { proxy } = buildSidecar(input());
  const names = (proxy.env ?? []).map((e: V1EnvVar) => e.name);
  assert.deepEqual(names, [
    '_pod_name',
    '_pod_ns',
    '_pod_uid',
    '_pod_ip',
    '_pod_nodeName',
    '_pod_containerName',
    'LINKERD2_PROXY_CORES',
    'LINKERD2_PROXY_CORES_MIN',
    'LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED',
    'LINKERD2_PROXY_LOG',
    'LINKERD2_PROXY_LOG_FORMAT',
    'LINKERD2_PROXY_DESTINATION_SVC_ADDR',
    'LINKERD2_PROXY_DESTINATION_PROFILE_NETWORKS',
    'LINKERD2_PROXY_POLICY_SVC_ADDR',
    'LINKERD2_PROXY_POLICY_WORKLOAD',
    'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY',
    'LINKERD2_PROXY_POLICY_CLUSTER_NETWORKS',
    'LINKERD2_PROXY_CONTROL_STREAM_INITIAL_TIMEOUT',
    'LINKERD2_PROXY_CONTROL_STREAM_IDLE_TIMEOUT',
    'LINKERD2_PROXY_CONTROL_STREAM_LIFETIME',
    'LINKERD2_PROXY_INBOUND_CONNECT_TIMEOUT',
    'LINKERD2_PROXY_OUTBOUND_CONNECT_TIMEOUT',
    'LINKERD2_PROXY_OUTBOUND_DISCOVERY_IDLE_TIMEOUT',
    'LINKERD2_PROXY_INBOUND_DISCOVERY_IDLE_TIMEOUT',
    'LINKERD2_PROXY_CONTROL_LISTEN_ADDR',
    'LINKERD2_PROXY_ADMIN_LISTEN_ADDR',
    'LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR',
    'LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS',
    'LINKERD2_PROXY_INBOUND_LISTEN_ADDR',
    'LINKERD2_PROXY_INBOUND_IPS',
    'LINKERD2_PROXY_INBOUND_PORTS',
    'LINKERD2_PROXY_DESTINATION_PROFILE_SUFFIXES',
    'LINKERD2_PROXY_INBOUND_ACCEPT_KEEPALIVE',
    'LINKERD2_PROXY_OUTBOUND_CONNECT_KEEPALIVE',
    'LINKERD2_PROXY_INBOUND_ACCEPT_USER_TIMEOUT',
    'LINKERD2_PROXY_OUTBOUND_CONNECT_USER_TIMEOUT',
    'LINKERD2_PROXY_OUTBOUND_METRICS_HOSTNAME_LABELS',
    'LINKERD2_PROXY_INBOUND_SERVER_HTTP2_KEEP_ALIVE_INTERVAL',
    'LINKERD2_PROXY_INBOUND_SERVER_HTTP2_KEEP_ALIVE_TIMEOUT',
    'LINKERD2_PROXY_OUTBOUND_SERVER_HTTP2_KEEP_ALIVE_INTERVAL',
    'LINKERD2_PROXY_OUTBOUND_SERVER_HTTP2_KEEP_ALIVE_TIMEOUT',
    'LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION',
    'LINKERD2_PROXY_DESTINATION_CONTEXT',
    '_pod_sa',
    '_l5d_ns',
    '_l5d_trustdomain',
    'LINKERD2_PROXY_IDENTITY_DIR',
    'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS',
    'LINKERD2_PROXY_IDENTITY_TOKEN_FILE',
    'LINKERD2_PROXY_IDENTITY_SVC_ADDR',
    'LINKERD2_PROXY_IDENTITY_LOCAL_NAME',
    'LINKERD2_PROXY_IDENTITY_SVC_NAME',
    'LINKERD2_PROXY_DESTINATION_SVC_NAME',
    'LINKERD2_PROXY_POLICY_SVC_NAME',
  ]);
  const expected: Record<string, string> = {
    _pod_containerName: 'linkerd-proxy',
    LINKERD2_PROXY_CORES: '1',
    LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED: 'false',
    LINKERD2_PROXY_LOG: 'warn,linkerd=info,hickory=error,[{headers}]=off,[{request}]=off',
    LINKERD2_PROXY_LOG_FORMAT: 'plain',
    LINKERD2_PROXY_DESTINATION_SVC_ADDR: 'linkerd-dst-headless.linkerd.svc.cluster.local.:8086',
    LINKERD2_PROXY_POLICY_SVC_ADDR: 'linkerd-policy.linkerd.svc.cluster.local.:8090',
    LINKERD2_PROXY_POLICY_WORKLOAD: '{"ns":"$(_pod_ns)", "pod":"$(_pod_name)"}\n',
    LINKERD2_PROXY_INBOUND_DEFAULT_POLICY: 'all-unauthenticated',
    LINKERD2_PROXY_POLICY_CLUSTER_NETWORKS: '10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8',
    LINKERD2_PROXY_CONTROL_STREAM_IDLE_TIMEOUT: '5m',
    LINKERD2_PROXY_OUTBOUND_CONNECT_TIMEOUT: '1000ms',
    LINKERD2_PROXY_INBOUND_DISCOVERY_IDLE_TIMEOUT: '90s',
    LINKERD2_PROXY_CONTROL_LISTEN_ADDR: '0.0.0.0:4190',
    LINKERD2_PROXY_ADMIN_LISTEN_ADDR: '0.0.0.0:4191',
    LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS: '127.0.0.1:4140',
    LINKERD2_PROXY_INBOUND_LISTEN_ADDR: '0.0.0.0:4143',
    LINKERD2_PROXY_INBOUND_PORTS: '11211,80,9090',
    LINKERD2_PROXY_DESTINATION_PROFILE_SUFFIXES: 'svc.cluster.local.',
    LINKERD2_PROXY_INBOUND_ACCEPT_KEEPALIVE: '10000ms',
    LINKERD2_PROXY_OUTBOUND_CONNECT_USER_TIMEOUT: '30s',
    LINKERD2_PROXY_OUTBOUND_SERVER_HTTP2_KEEP_ALIVE_TIMEOUT: '3s',
    LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION: '25,587,3306,4444,5432,6379,9300,11211',
    LINKERD2_PROXY_DESTINATION_CONTEXT: '{"ns":"$(_pod_ns)", "nodeName":"$(_pod_nodeName)", "pod":"$(_pod_name)"}\n',
    _l5d_ns: 'linkerd',
    _l5d_trustdomain: 'cluster.local',
    LINKERD2_PROXY_IDENTITY_DIR: '/var/run/linkerd/identity/end-entity',
    LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS: PEM,
    LINKERD2_PROXY_IDENTITY_TOKEN_FILE: '/var/run/secrets/tokens/linkerd-identity-token',
    LINKERD2_PROXY_IDENTITY_SVC_ADDR: 'linkerd-identity-headless.linkerd.svc.cluster.local.:8080',
    LINKERD2_PROXY_IDENTITY_LOCAL_NAME: '$(_pod_sa).$(_pod_ns).serviceaccount.identity.linkerd.cluster.local',
    LINKERD2_PROXY_IDENTITY_SVC_NAME: 'linkerd-identity.linkerd.serviceaccount.identity.linkerd.cluster.local',
    LINKERD2_PROXY_POLICY_SVC_NAME: 'linkerd-destination.linkerd.serviceaccount.identity.linkerd.cluster.local',
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(envValue(proxy, name), value, name);
  assert.deepEqual(envMap(proxy).get('LINKERD2_PROXY_INBOUND_IPS')?.valueFrom, {
    fieldRef: { fieldPath: 'status.podIPs' },
  });
});

test('conditional env: cores max/ratio, identity ports, detect timeouts, ingress, gateway, params, access log, extra env', () => {
  const { proxy } = buildSidecar(
    input({
      disableIPv6: false,
      identityTrustDomain: 'example.org',
      proxy: {
        runtime: { workers: { minimum: 2, maximum: 3, maximumCPURatio: 0.1 } },
        requireIdentityOnInboundPorts: '8080',
        disableInboundProtocolDetectTimeout: true,
        isIngress: true,
        isGateway: true,
        enableExternalProfiles: true,
        logHTTPHeaders: 'insecure',
        accessLog: 'apache',
        shutdownGracePeriod: '30000ms',
        inbound: { appleSauce: { blueBerry: 3.14 } },
        outbound: { server: { flag: true } },
        additionalEnv: [{ name: 'A', value: '1' }],
        experimentalEnv: [{ name: 'B', value: '2' }],
      },
    }),
  );
  const env = (proxy.env ?? []).map((e) => `${e.name}=${e.value ?? ''}`);
  const idx = (s: string) => env.findIndex((e) => e.startsWith(`${s}=`));
  assert.ok(env.includes('LINKERD2_PROXY_CORES=2') && env.includes('LINKERD2_PROXY_CORES_MAX=3'));
  assert.ok(env.includes('LINKERD2_PROXY_CORES_MAX_RATIO=0.1'));
  assert.ok(env.includes('LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY=8080'));
  assert.ok(env.includes('LINKERD2_PROXY_INBOUND_DETECT_TIMEOUT=365d'));
  assert.equal(idx('LINKERD2_PROXY_OUTBOUND_DETECT_TIMEOUT'), -1);
  assert.ok(env.includes('LINKERD2_PROXY_LOG=warn,linkerd=info,hickory=error'));
  assert.ok(env.includes('LINKERD2_PROXY_ADMIN_LISTEN_ADDR=[::]:4191'));
  assert.ok(env.includes('LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS=127.0.0.1:4140,[::1]:4140'));
  assert.ok(env.includes('LINKERD2_PROXY_INBOUND_GATEWAY_SUFFIXES=svc.cluster.local.'));
  assert.ok(env.includes('LINKERD2_PROXY_INGRESS_MODE=true'));
  assert.ok(env.includes('LINKERD2_PROXY_DESTINATION_PROFILE_SUFFIXES=.'));
  assert.ok(env.includes('LINKERD2_PROXY_INBOUND_APPLE_SAUCE_BLUE_BERRY=3.14'));
  assert.ok(env.includes('LINKERD2_PROXY_OUTBOUND_SERVER_FLAG=true'));
  assert.ok(
    idx('LINKERD2_PROXY_INBOUND_APPLE_SAUCE_BLUE_BERRY') <
      idx('LINKERD2_PROXY_INBOUND_SERVER_HTTP2_KEEP_ALIVE_INTERVAL'),
  );
  assert.ok(env.includes('_l5d_trustdomain=example.org'));
  assert.deepEqual(env.slice(-4), [
    'LINKERD2_PROXY_ACCESS_LOG=apache',
    'LINKERD2_PROXY_SHUTDOWN_GRACE_PERIOD=30000ms',
    'A=1',
    'B=2',
  ]);
});

test('render errors: trust anchors, log headers, iptables mode, close-wait without root', () => {
  assert.throws(
    () => buildSidecar(input({ identityTrustAnchorsPEM: '' })),
    /Please provide the identity trust anchors/,
  );
  assert.throws(() => buildSidecar(input({ proxy: { logHTTPHeaders: 'on' } })), {
    message: 'logHTTPHeaders must be one of: insecure | off',
  });
  assert.throws(() => buildSidecar(input({ proxyInit: { iptablesMode: 'plain' } })), {
    message: 'Unsupported value "plain" for proxyInit.iptablesMode\nValid values: ["nft", "legacy"]',
  });
  assert.throws(() => buildSidecar(input({ proxyInit: { closeWaitTimeoutSecs: 60 } })), {
    message: 'proxyInit.runAsRoot must be set to use proxyInit.closeWaitTimeoutSecs',
  });
});

test('linkerd-init: proxy image, args in order, security context', () => {
  const [init] = buildSidecar(input()).initContainers;
  assert.equal(init?.name, 'linkerd-init');
  assert.equal(init?.image, 'ghcr.io/l5d/proxy:test-version');
  assert.deepEqual(init?.command, ['/usr/lib/linkerd/linkerd2-proxy-init']);
  assert.equal(
    init?.args?.join(' '),
    '--firewall-bin-path iptables-nft --firewall-save-bin-path iptables-nft-save --ipv6=false --incoming-proxy-port 4143 --outgoing-proxy-port 4140 --proxy-uid 2102 --inbound-ports-to-ignore 4190,4191,4567,4568 --outbound-ports-to-ignore 4567,4568',
  );
  assert.deepEqual(init?.securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { add: ['NET_ADMIN', 'NET_RAW'] },
    privileged: false,
    runAsNonRoot: true,
    runAsUser: 65534,
    runAsGroup: 65534,
    readOnlyRootFilesystem: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.deepEqual(init?.volumeMounts, [{ mountPath: '/run', name: 'linkerd-proxy-init-xtables-lock' }]);
});

test('linkerd-init variants: legacy mode, gid, skip subnets, close-wait as root, app capabilities', () => {
  const spec: V1PodSpec = {
    containers: [
      {
        name: 'app',
        securityContext: { capabilities: { add: ['SYS_TIME'], drop: ['NET_RAW', 'CHOWN'] } },
        volumeMounts: [{ name: 'sa', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
      },
    ],
  };
  const parts = buildSidecar(
    input(
      {
        proxy: { gid: 4321 },
        proxyInit: { iptablesMode: 'legacy', skipSubnets: '10.0.0.0/8', closeWaitTimeoutSecs: 60, runAsRoot: true },
      },
      { podSpec: spec },
    ),
  );
  const init = parts.initContainers[0] as V1Container;
  assert.equal(
    init.args?.join(' '),
    '--ipv6=false --incoming-proxy-port 4143 --outgoing-proxy-port 4140 --proxy-uid 2102 --proxy-gid 4321 --inbound-ports-to-ignore 4190,4191,4567,4568 --outbound-ports-to-ignore 4567,4568 --timeout-close-wait-secs 60 --subnets-to-ignore 10.0.0.0/8',
  );
  assert.deepEqual(init.securityContext?.capabilities, { add: ['NET_ADMIN', 'NET_RAW', 'SYS_TIME'], drop: ['CHOWN'] });
  assert.equal(init.securityContext?.privileged, true);
  assert.equal(init.securityContext?.runAsUser, 0);
  assert.equal(init.securityContext?.runAsNonRoot, false);
  assert.deepEqual(init.volumeMounts?.[1], {
    name: 'sa',
    mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
    readOnly: true,
  });
  assert.equal(parts.proxy.securityContext?.runAsGroup, 4321);
  assert.deepEqual(parts.proxy.securityContext?.capabilities, { add: ['SYS_TIME'], drop: ['NET_RAW', 'CHOWN'] });
  assert.ok(parts.proxy.volumeMounts?.some((m) => m.name === 'sa' && m.readOnly === true));
});

test('native sidecar (default): init + proxy first in initContainers, startup probe, no lifecycle', () => {
  const parts = buildSidecar(input());
  assert.equal(parts.placement, 'native-sidecar');
  const spec = applySidecarToPodSpec({ ...app, initContainers: [{ name: 'mine' }] }, parts);
  assert.deepEqual(
    spec.initContainers?.map((c) => c.name),
    ['linkerd-init', 'linkerd-proxy', 'mine'],
  );
  assert.deepEqual(
    spec.containers.map((c) => c.name),
    ['web'],
  );
  const proxy = parts.proxy;
  assert.equal(proxy.restartPolicy, 'Always');
  assert.deepEqual(proxy.startupProbe, {
    httpGet: { path: '/ready', port: 4191 },
    initialDelaySeconds: 0,
    periodSeconds: 1,
    failureThreshold: 120,
  });
  assert.equal(proxy.lifecycle, undefined);
  assert.deepEqual(proxy.livenessProbe, {
    httpGet: { path: '/live', port: 4191 },
    initialDelaySeconds: 10,
    timeoutSeconds: 1,
  });
  assert.deepEqual(proxy.ports, [
    { containerPort: 4143, name: 'linkerd-proxy' },
    { containerPort: 4191, name: 'linkerd-admin' },
  ]);
  assert.deepEqual(proxy.securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 2102,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.equal(proxy.resources, undefined);
});

test('classic sidecar: awaited proxy first with postStart/preStop; unawaited proxy last after debug', () => {
  const awaited = buildSidecar(
    input({ proxy: { nativeSidecar: false, waitBeforeExitSeconds: 30 } }, { enableDebugSidecar: true }),
  );
  assert.equal(awaited.placement, 'first-container');
  const spec = applySidecarToPodSpec({ ...app, initContainers: [{ name: 'mine' }] }, awaited);
  assert.deepEqual(
    spec.initContainers?.map((c) => c.name),
    ['mine', 'linkerd-init'],
  );
  assert.deepEqual(
    spec.containers.map((c) => c.name),
    ['linkerd-proxy', 'web', 'linkerd-debug'],
  );
  assert.deepEqual(awaited.proxy.lifecycle, {
    postStart: { exec: { command: ['/usr/lib/linkerd/linkerd-await', '--timeout=2m', '--port=4191'] } },
    preStop: { exec: { command: ['/bin/sleep', '30'] } },
  });
  assert.equal(awaited.proxy.startupProbe, undefined);
  assert.equal(awaited.proxy.restartPolicy, undefined);
  const last = buildSidecar(input({ proxy: { nativeSidecar: false, await: false } }, { enableDebugSidecar: true }));
  assert.deepEqual(
    applySidecarToPodSpec(app, last).containers.map((c) => c.name),
    ['web', 'linkerd-debug', 'linkerd-proxy'],
  );
  assert.equal(last.proxy.lifecycle, undefined);
});

test('cniEnabled: network validator instead of linkerd-init, no xtables volume', () => {
  const parts = buildSidecar(input({ cniEnabled: true }));
  const validator = parts.initContainers[0] as V1Container;
  assert.equal(validator.name, 'linkerd-network-validator');
  assert.deepEqual(validator.command, ['/usr/lib/linkerd/linkerd2-network-validator']);
  assert.equal(
    validator.args?.join(' '),
    '--log-format plain --log-level debug --connect-addr 1.1.1.1:20001 --listen-addr 0.0.0.0:4140 --timeout 10s',
  );
  assert.deepEqual(validator.securityContext?.capabilities, { drop: ['ALL'] });
  assert.ok(!parts.volumes.some((v) => v.name === 'linkerd-proxy-init-xtables-lock'));
  const v6 = buildSidecar(input({ cniEnabled: true, disableIPv6: false })).initContainers[0] as V1Container;
  assert.ok(v6.args?.join(' ').includes('--connect-addr [fd00::1]:20001 --listen-addr [::]:4140'));
});

test('volumes in order; token projection off switches the token file and drops the token volume', () => {
  const parts = buildSidecar(
    input({
      proxy: {
        tracing: {
          enabled: true,
          collector: { endpoint: 'c:4317', meshIdentity: { serviceAccountName: 'col', namespace: 'tr' } },
        },
      },
    }),
  );
  assert.deepEqual(
    parts.volumes.map((v) => v.name),
    ['linkerd-proxy-init-xtables-lock', 'linkerd-identity-end-entity', 'linkerd-podinfo', 'linkerd-identity-token'],
  );
  assert.deepEqual(parts.volumes[3]?.projected?.sources?.[0]?.serviceAccountToken, {
    audience: 'identity.l5d.io',
    expirationSeconds: 86400,
    path: 'linkerd-identity-token',
  });
  assert.equal(
    envValue(parts.proxy, 'LINKERD2_PROXY_TRACE_COLLECTOR_SVC_NAME'),
    'col.tr.serviceaccount.identity.linkerd.cluster.local',
  );
  const noProjection = buildSidecar(input({ identity: { serviceAccountTokenProjection: false } }));
  assert.deepEqual(
    noProjection.volumes.map((v) => v.name),
    ['linkerd-proxy-init-xtables-lock', 'linkerd-identity-end-entity'],
  );
  assert.equal(
    envValue(noProjection.proxy, 'LINKERD2_PROXY_IDENTITY_TOKEN_FILE'),
    '/var/run/secrets/kubernetes.io/serviceaccount/token',
  );
  assert.deepEqual(
    noProjection.proxy.volumeMounts?.map((m) => m.mountPath),
    ['/var/run/linkerd/identity/end-entity'],
  );
});

test('resources go to the proxy and linkerd-init; debug container image and probes', () => {
  const parts = buildSidecar(
    input(
      {
        proxy: { resources: { cpu: { request: '110m', limit: '160m' }, memory: { request: '100Mi' } } },
        debugContainer: { image: { version: 'dbg' } },
      },
      { enableDebugSidecar: true },
    ),
  );
  const expected = { limits: { cpu: '160m' }, requests: { cpu: '110m', memory: '100Mi' } };
  assert.deepEqual(parts.proxy.resources, expected);
  assert.deepEqual(parts.initContainers[0]?.resources, expected);
  assert.deepEqual(parts.containersAfter[0], {
    name: 'linkerd-debug',
    image: 'ghcr.io/l5d/debug:dbg',
    imagePullPolicy: 'IfNotPresent',
    livenessProbe: { exec: { command: ['true'] } },
    readinessProbe: { exec: { command: ['true'] } },
    terminationMessagePolicy: 'FallbackToLogsOnError',
  });
});

test('annotations and labels the sidecar adds', () => {
  const parts = buildSidecar(
    input(
      { proxy: { image: { version: 'pv' } } },
      { createdBy: 'linkerd/cli test', workload: { kind: 'Deployment', name: 'web' } },
    ),
  );
  assert.deepEqual(parts.annotations, {
    'linkerd.io/created-by': 'linkerd/cli test',
    'linkerd.io/proxy-version': 'pv',
    'linkerd.io/trust-root-sha256': createHash('sha256').update(PEM).digest('hex'),
  });
  assert.deepEqual(parts.labels, {
    'linkerd.io/control-plane-ns': 'linkerd',
    'linkerd.io/workload-ns': 'emojivoto',
    'linkerd.io/proxy-deployment': 'web',
  });
});

test('control plane: identity gets a classic last proxy with localhost identity and REQUIRE_TLS', () => {
  const parts = buildSidecar({
    values: values({ identityProxyResources: { memory: { limit: '1Gi' } }, proxy: { waitBeforeExitSeconds: 9 } }),
    controlPlaneNamespace: 'linkerd',
    podNamespace: 'linkerd',
    controlPlaneComponent: 'identity',
  });
  assert.equal(parts.placement, 'last-container');
  assert.equal(parts.proxy.lifecycle, undefined);
  assert.equal(envValue(parts.proxy, 'LINKERD2_PROXY_IDENTITY_SVC_ADDR'), 'localhost.:8080');
  assert.equal(
    envValue(parts.proxy, 'LINKERD2_PROXY_DESTINATION_SVC_ADDR'),
    'linkerd-dst-headless.linkerd.svc.cluster.local.:8086',
  );
  assert.equal(envValue(parts.proxy, 'LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_TLS'), '8080');
  assert.equal(envValue(parts.proxy, 'LINKERD2_PROXY_INBOUND_PORTS'), '8080,9990');
  assert.deepEqual(envMap(parts.proxy).get('LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS')?.valueFrom, {
    configMapKeyRef: { name: 'linkerd-identity-trust-roots', key: 'ca-bundle.crt' },
  });
  assert.deepEqual(parts.proxy.resources, { limits: { memory: '1Gi' } });
  const names = (parts.proxy.env ?? []).map((e) => e.name);
  assert.equal(
    names.indexOf('LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_TLS') + 1,
    names.indexOf('LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED'),
  );
  assert.equal(
    parts.initContainers[0]?.args?.join(' ').endsWith('--outbound-ports-to-ignore 443,6443'),
    true,
    'control-plane pods skip the kube API ports, not ignoreOutboundPorts',
  );
});

test('control plane: destination proxy is native with localhost destination/policy', () => {
  const parts = buildSidecar({
    values: values(),
    controlPlaneNamespace: 'linkerd',
    podNamespace: 'linkerd',
    controlPlaneComponent: 'destination',
  });
  assert.equal(parts.placement, 'native-sidecar');
  assert.equal(envValue(parts.proxy, 'LINKERD2_PROXY_DESTINATION_SVC_ADDR'), 'localhost.:8086');
  assert.equal(envValue(parts.proxy, 'LINKERD2_PROXY_POLICY_SVC_ADDR'), 'localhost.:8090');
  assert.equal(
    envValue(parts.proxy, 'LINKERD2_PROXY_IDENTITY_SVC_ADDR'),
    'linkerd-identity-headless.linkerd.svc.cluster.local.:8080',
  );
  assert.equal(envValue(parts.proxy, 'LINKERD2_PROXY_INBOUND_PORTS'), '8086,8090,8443,9443,9990,9996,9997');
  assert.ok(!envMap(parts.proxy).has('LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_TLS'));
});

test('pod inbound ports: init and app container ports plus integer probe ports, sorted as strings', () => {
  assert.equal(
    podInboundPorts({ initContainers: [{ name: 'i', ports: [{ containerPort: 53 }] }], containers: app.containers }),
    '11211,53,80,9090',
  );
  assert.equal(podInboundPorts({ containers: [{ name: 'x' }] }), '');
  const empty = buildSidecar(input({}, { podSpec: { containers: [{ name: 'x' }] } }));
  assert.deepEqual(envMap(empty.proxy).get('LINKERD2_PROXY_INBOUND_PORTS'), { name: 'LINKERD2_PROXY_INBOUND_PORTS' });
});

test('empty values mean the defaults, as in the chart: proxy.securityContext {} and saMountPath {}', () => {
  const parts = buildSidecar(input({ proxy: { securityContext: {}, saMountPath: {} } }));
  assert.deepEqual(parts.proxy.securityContext, {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 2102,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.ok((parts.proxy.volumeMounts ?? []).every((m) => typeof m.name === 'string' && m.name !== ''));
  const custom = buildSidecar(input({ proxy: { securityContext: { runAsUser: 7 } } }));
  assert.deepEqual(custom.proxy.securityContext, { runAsUser: 7 });
});
