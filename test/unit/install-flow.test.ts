import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError } from '../../src/kube/errors.js';
import { LINKERD_CRD_REQUIREMENTS } from '../../src/manifests/crds/index.js';
import { runInstall, type InstallRequest } from '../../src/manifests/install/flow.js';
import { installFlagsPatch } from '../../src/manifests/install/flags.js';
import { CRDS_MISSING_MESSAGE, DOCKER_RUNTIME_MESSAGE, InstallRefusal } from '../../src/manifests/install/prechecks.js';
import { validateInstallValues } from '../../src/manifests/install/validate-values.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import type { KubeObject } from '../../src/manifests/install/context.js';
import { parse } from 'yaml';

/** In-memory API server: GET by path, 404 otherwise. */
function fakeCluster(objects: Record<string, unknown>) {
  const get = (path: string): unknown => {
    if (path in objects) return objects[path];
    throw new KubeApiError(404, 'NotFound', `${path} not found`);
  };
  return {
    getOptional: async <T>(path: string): Promise<T | undefined> => objects[path] as T | undefined,
    request: async <T>(req: { path: string }): Promise<T> => get(req.path) as T,
    close: async () => undefined,
  };
}

function healthyCluster(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const crds = Object.fromEntries(
    LINKERD_CRD_REQUIREMENTS.map((r) => [
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${r.name}`,
      { spec: { versions: [{ name: r.requiredVersion }] } },
    ]),
  );
  return {
    '/version': { gitVersion: 'v1.31.0' },
    ...crds,
    '/api/v1/nodes': { items: [{ status: { nodeInfo: { containerRuntimeVersion: 'containerd://1.7' } } }] },
    '/api/v1/namespaces/default/services/kubernetes': { spec: { ports: [{ port: 443, targetPort: 6444 }] } },
    '/apis/discovery.k8s.io/v1/endpointslices': { items: [{}] },
    ...extra,
  };
}

function request(cluster: Record<string, unknown>, over: Partial<InstallRequest> = {}): InstallRequest {
  return {
    namespace: 'linkerd',
    version: 'edge-26.11.1',
    now: new Date(),
    flags: {},
    valueFlags: {},
    ignoreCluster: false,
    output: 'yaml',
    connect: async () => fakeCluster(cluster),
    ...over,
  };
}

test('a healthy cluster: kube API server ports come from default/kubernetes', async () => {
  const out = await runInstall(request(healthyCluster()));
  const docs = out.stdout
    .split(/^---$/m)
    .map((d) => parse(d) as KubeObject | null)
    .filter((d) => d !== null);
  const cm = docs.find((d) => d.metadata.name === 'linkerd-config') as KubeObject;
  const values = parse((cm.data as Record<string, string>).values ?? '') as {
    proxyInit: { kubeAPIServerPorts: string };
  };
  assert.equal(values.proxyInit.kubeAPIServerPorts, '443,6444');
});

test('refusals: cannot connect, missing CRDs, existing linkerd-config, docker nodes, no EndpointSlices', async () => {
  await assert.rejects(
    runInstall(request({}, { connect: async () => Promise.reject(new Error('dial tcp: refused')) })),
    (err: Error) =>
      err instanceof InstallRefusal &&
      err.message.startsWith(
        'Unable to install the Linkerd control plane. Cannot connect to the Kubernetes cluster:\n\ndial tcp: refused\n\n',
      ),
  );
  const noServers = healthyCluster({
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/servers.policy.linkerd.io': {
      spec: { versions: [{ name: 'v1beta2' }] },
    },
  });
  await assert.rejects(runInstall(request(noServers)), { message: CRDS_MISSING_MESSAGE });
  const installed = healthyCluster({ '/api/v1/namespaces/linkerd/configmaps/linkerd-config': { data: {} } });
  await assert.rejects(runInstall(request(installed)), {
    message:
      "Can't install the Linkerd control plane in the 'linkerd' namespace. Reason: ConfigMap/linkerd-config already exists.\nRun the command `l5d upgrade`, if you are looking to upgrade Linkerd.\n",
  });
  const docker = healthyCluster({
    '/api/v1/nodes': { items: [{ status: { nodeInfo: { containerRuntimeVersion: 'docker://20.10' } } }] },
  });
  await assert.rejects(runInstall(request(docker)), {
    message: DOCKER_RUNTIME_MESSAGE.replace('docker://', 'docker:'),
  });
  const emptySlices = healthyCluster({ '/apis/discovery.k8s.io/v1/endpointslices': { items: [] } });
  await assert.rejects(runInstall(request(emptySlices)), {
    message: 'no EndpointSlice resources exist in the cluster',
  });
});

test('docker nodes are accepted when --set proxyInit.runAsRoot=true', async () => {
  const docker = healthyCluster({
    '/api/v1/nodes': { items: [{ status: { nodeInfo: { containerRuntimeVersion: 'docker://20.10' } } }] },
  });
  const out = await runInstall(request(docker, { valueFlags: { set: ['proxyInit.runAsRoot=true'] } }));
  assert.match(out.stdout, /kind: Deployment/);
});

test('external issuer: combinations refused, missing Secret keys named', async () => {
  await assert.rejects(runInstall(request({}, { ignoreCluster: true, flags: { 'identity-external-issuer': true } })), {
    message: '--ignore-cluster is not supported when --identity-external-issuer=true',
  });
  await assert.rejects(
    runInstall(request({}, { flags: { 'identity-external-issuer': true, 'identity-issuer-key-file': 'k.pem' } })),
    { message: '--identity-issuer-key-file must not be specified if --identity-external-issuer=true' },
  );
  const cluster = healthyCluster({
    '/api/v1/namespaces/linkerd/secrets/linkerd-identity-issuer': { data: { 'ca.crt': 'eA==' } },
  });
  await assert.rejects(runInstall(request(cluster, { flags: { 'identity-external-issuer': true } })), {
    message:
      'key tls.crt containing the issuer certificate needs to exist in secret linkerd-identity-issuer if --identity-external-issuer=true',
  });
});

test('flags map onto values; durations normalised like Go', () => {
  assert.deepEqual(
    installFlagsPatch({
      'cluster-domain': 'example.com',
      'disable-h2-upgrade': true,
      'identity-issuance-lifetime': '90m',
      'controller-gid': 7,
    }),
    {
      clusterDomain: 'example.com',
      enableH2Upgrade: false,
      controllerGID: 7,
      identity: { issuer: { issuanceLifetime: '1h30m0s' } },
    },
  );
  assert.throws(() => installFlagsPatch({ 'identity-issuer-key-file': '/nonexistent/key.pem' }), {
    message: 'open /nonexistent/key.pem: no such file or directory',
  });
});

test('value validation messages of install.md §6', () => {
  const v = defaultValues();
  assert.throws(() => validateInstallValues({ ...v, controllerLogLevel: 'loud' }), {
    message: '--controller-log-level must be one of: panic, fatal, error, warn, info, debug, trace',
  });
  assert.throws(() => validateInstallValues({ ...v, linkerdVersion: 'a b' }), {
    message: 'a b is not a valid version',
  });
  assert.throws(() => validateInstallValues({ ...v, clusterNetworks: '10.0.0.0/8,nope' }), {
    message: 'cannot parse destination get networks: invalid CIDR address: nope',
  });
  assert.throws(
    () => validateInstallValues({ ...v, identityTrustDomain: 'Bad_Domain' }),
    (err: Error) => err.message.startsWith("invalid trust domain 'Bad_Domain': a lowercase RFC 1123 subdomain"),
  );
  assert.throws(() => validateInstallValues({ ...v, proxy: { ...v.proxy, defaultInboundPolicy: 'open' } }), {
    message:
      '--default-inbound-policy must be one of: all-authenticated, all-unauthenticated, cluster-authenticated, cluster-unauthenticated, deny, audit (got open)',
  });
  const issuer = (o: Partial<typeof v.identity.issuer>) => ({
    ...v,
    identity: { ...v.identity, issuer: { ...v.identity.issuer, ...o } },
  });
  assert.throws(() => validateInstallValues(issuer({ issuanceLifetime: '-1h0m0s' })), {
    message: 'identity issuance lifetime must be between 1s and 8760h0m0s, got -1h0m0s',
  });
  assert.throws(() => validateInstallValues(issuer({ issuanceLifetime: '100000h0m0s' })), {
    message: 'identity issuance lifetime must be between 1s and 8760h0m0s, got 100000h0m0s',
  });
  assert.throws(() => validateInstallValues(issuer({ clockSkewAllowance: '-20s' })), {
    message: 'identity clock skew allowance must be between 0s and 24h0m0s, got -20s',
  });
  validateInstallValues(v);
});
