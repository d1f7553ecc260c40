import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/checks/clock.js';
import { CheckContext, type CheckDeps, type CheckOptions } from '../../src/checks/context.js';
import type { KubeApi } from '../../src/checks/kube-api.js';
import type { CheckResult } from '../../src/checks/model.js';
import { categoriesFor, type CheckMode } from '../../src/checks/plan.js';
import { runChecks } from '../../src/checks/runner.js';
import { nodesWithClockSkew } from '../../src/checks/categories/pre-kubernetes-setup.js';
import { checkMinimumVersion } from '../../src/checks/categories/kubernetes.js';
import { guessResource } from '../../src/checks/dry-run.js';
import { renderTable } from '../../src/checks/views/table.js';
import type { KubeRequest } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import type { KubeObject } from '../../src/kube/types.js';
import { assertGolden } from '../support/golden.js';

const notFound = (what: string) =>
  new KubeApiError(404, 'NotFound', `${what} not found (path)`, { message: `${what} not found` });
const forbidden = (msg: string) => new KubeApiError(403, 'Forbidden', `${msg} (path)`, { message: msg });

interface Cluster {
  version?: string;
  namespaces?: string[];
  crds?: Record<string, string[]>;
  denied?: boolean;
  extensionCa?: string | null;
  nodes?: unknown[];
}

/** An in-memory API server answering just the requests the checks make. */
function fakeKube(cluster: Cluster): KubeApi & { requests: KubeRequest[] } {
  const requests: KubeRequest[] = [];
  return {
    requests,
    async request<T>(req: KubeRequest): Promise<T> {
      requests.push(req);
      const p = req.path;
      const reply = (v: unknown) => v as T;
      if (p === '/version') return reply({ gitVersion: cluster.version ?? 'v1.34.1' });
      let m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p);
      if (m) {
        if ((cluster.namespaces ?? []).includes(m[1] ?? '')) return reply({ metadata: { name: m[1] } });
        throw notFound(`namespaces "${m[1]}"`);
      }
      m = /^\/apis\/apiextensions.k8s.io\/v1\/customresourcedefinitions\/(.+)$/.exec(p);
      if (m) {
        const versions = cluster.crds?.[m[1] ?? ''];
        if (versions === undefined) throw notFound(`customresourcedefinitions.apiextensions.k8s.io "${m[1]}"`);
        return reply({ metadata: { name: m[1] }, spec: { versions: versions.map((name) => ({ name })) } });
      }
      if (p === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
        const denyReason = JSON.stringify(req.body).includes('"get"') ? 'RBAC: no rule allows get' : '';
        return reply({ status: { allowed: !cluster.denied, ...(cluster.denied ? { reason: denyReason } : {}) } });
      }
      if (req.method === 'POST' && req.query?.dryRun === 'All') {
        const obj = req.body as KubeObject;
        if (cluster.denied) {
          throw forbidden(
            `${guessResource(obj.kind)} is forbidden: User "limited" cannot create resource "${guessResource(obj.kind)}"`,
          );
        }
        return reply(obj);
      }
      if (p === '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication') {
        if (cluster.denied) throw forbidden('configmaps "extension-apiserver-authentication" is forbidden');
        if (cluster.extensionCa === null) throw notFound('configmaps "extension-apiserver-authentication"');
        return reply({ data: cluster.extensionCa === undefined ? { 'requestheader-client-ca-file': 'PEM' } : {} });
      }
      if (p === '/api/v1/nodes') return reply({ items: cluster.nodes ?? [] });
      if (p.startsWith('/api/v1/namespaces/linkerd-cni/')) throw notFound('configmaps "linkerd-cni-config"');
      throw new Error(`unexpected request ${req.method ?? 'GET'} ${p}`);
    },
  };
}

const GATEWAY = { 'httproutes.gateway.networking.k8s.io': ['v1beta1', 'v1'] };
const REQUIREMENTS = [
  { name: 'servers.policy.linkerd.io', requiredVersion: 'v1beta3' },
  { name: 'serviceprofiles.linkerd.io', requiredVersion: 'v1alpha2' },
];
const INSTALL_OBJECTS: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linkerd' } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'linkerd-linkerd-identity' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'linkerd-identity', namespace: 'linkerd' } },
];

async function run(mode: CheckMode, kube: KubeApi, options: Partial<CheckOptions> = {}, deps: Partial<CheckDeps> = {}) {
  const ctx = new CheckContext(
    {
      namespace: 'linkerd',
      cniNamespace: 'linkerd-cni',
      dataPlaneNamespace: '',
      cliVersion: 'edge-26.11.1',
      expectedVersion: '',
      linkerdCniEnabled: false,
      versionCheckUrl: 'https://registry.example/l5d',
      ...options,
    },
    {
      connectKube: async () => kube,
      fetch: async () => ({
        ok: true,
        status: 200,
        statusText: 'OK',
        json: async () => ({ 'dist-tags': { latest: '2026.11.1' } }),
      }),
      clock: systemClock,
      crdRequirements: () => REQUIREMENTS,
      installObjects: async () => INSTALL_OBJECTS,
      ...deps,
    },
  );
  const results: CheckResult[] = [];
  for await (const r of runChecks(categoriesFor(mode, ctx), {
    clock: systemClock,
    waitMs: 0,
    hintBase: 'https://linkerd.io/2/checks/#',
  })) {
    results.push(r);
  }
  return results;
}

test('--pre on a healthy cluster passes everything and dry-runs only cluster-scoped objects', async () => {
  const kube = fakeKube({ crds: GATEWAY });
  const results = await run('pre', kube);
  assertGolden('check/pre-healthy.golden', renderTable(results, { short: false, color: false }));
  const dryRuns = kube.requests.filter((r) => r.query?.dryRun === 'All').map((r) => r.path);
  assert.deepEqual(dryRuns.sort(), ['/api/v1/namespaces', '/apis/rbac.authorization.k8s.io/v1/clusterroles']);
  const ssar = kube.requests.find(
    (r) => r.path.endsWith('selfsubjectaccessreviews') && JSON.stringify(r.body).includes('cronjobs'),
  );
  assert.deepEqual((ssar?.body as { spec: unknown }).spec, {
    resourceAttributes: {
      namespace: 'linkerd',
      verb: 'create',
      group: 'batch',
      version: 'v1beta1',
      resource: 'cronjobs',
      name: '',
    },
  });
});

test('--pre as a user without rights: every permission check fails with upstream messages', async () => {
  const results = await run(
    'pre',
    fakeKube({ crds: GATEWAY, denied: true, namespaces: ['linkerd'] }),
    {},
    {
      fetch: async () => {
        throw Object.assign(new TypeError('fetch failed'), {
          cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9' },
        });
      },
    },
  );
  assertGolden('check/pre-denied.golden', renderTable(results, { short: false, color: false }));
});

test('--pre --linkerd-cni-enabled checks the CNI plugin, and its absence is fatal', async () => {
  const results = await run('pre', fakeKube({ crds: GATEWAY }), { linkerdCniEnabled: true });
  assert.deepEqual(results.at(-1), {
    category: 'linkerd-cni-plugin',
    description: 'cni plugin ConfigMap exists',
    error: 'configmaps "linkerd-cni-config" not found',
    hintUrl: 'https://linkerd.io/2/checks/#cni-plugin-cm-exists',
    warning: false,
    retry: false,
  });
  const without = await run('pre', fakeKube({ crds: GATEWAY }));
  assert.equal(
    without.some((r) => r.category === 'linkerd-cni-plugin'),
    false,
  );
});

test('gateway API CRDs: missing stops the run; external without v1 fails; linkerd-managed passes', async () => {
  const missing = await run('pre', fakeKube({}));
  assert.equal(missing.at(-1)?.category, 'gateway-api-crd');
  assert.match(
    missing.at(-1)?.error ?? '',
    /^The Gateway API CRDs must be installed prior to installing Linkerd. Run:\n\nkubectl apply --server-side -f https:\/\/github.com\/kubernetes-sigs\/gateway-api\/releases\/download\/v1.5.1\/standard-install.yaml\n\nor see https:\/\/gateway-api.sigs.k8s.io\/guides\/#installing-gateway-api for more options.$/,
  );
  const old = await run('crds', fakeKube({ crds: { 'grpcroutes.gateway.networking.k8s.io': ['v1alpha2'] } }));
  assert.equal(
    old.at(-1)?.error,
    'the grpcroutes.gateway.networking.k8s.io CRD is missing the v1 version, please upgrade to Gateway API v1.1.1 or later',
  );
});

test('--crds lists missing CRDs and missing versions in manifest order', async () => {
  const results = await run('crds', fakeKube({ crds: { ...GATEWAY, 'servers.policy.linkerd.io': ['v1beta2'] } }));
  assertGolden('check/crds-missing.golden', renderTable(results, { short: false, color: false }));
  const ok = await run(
    'crds',
    fakeKube({
      crds: {
        ...GATEWAY,
        'servers.policy.linkerd.io': ['v1beta3'],
        'serviceprofiles.linkerd.io': ['v1alpha1', 'v1alpha2'],
      },
    }),
  );
  assert.ok(ok.every((r) => r.error === undefined));
  assert.deepEqual(
    [...new Set(ok.map((r) => r.category))],
    ['kubernetes-api', 'kubernetes-version', 'gateway-api-crd', 'linkerd-crd', 'linkerd-version'],
  );
});

test('a client that cannot be configured stops the run with upstream prefix', async () => {
  const results = await run(
    'pre',
    fakeKube({}),
    {},
    {
      connectKube: async () => {
        throw new Error('no kubeconfig');
      },
    },
  );
  assert.deepEqual(
    results.map((r) => r.error),
    ['error configuring Kubernetes API client: no kubeconfig'],
  );
});

test('--expected-version skips the lookup; a mismatch warns', async () => {
  const results = await run(
    'pre',
    fakeKube({ crds: GATEWAY }),
    { expectedVersion: 'edge-26.12.1' },
    {
      fetch: async () => assert.fail('must not fetch'),
    },
  );
  const cli = results.find((r) => r.description === 'cli is up-to-date');
  assert.equal(cli?.error, 'is running version 26.11.1 but the latest edge version is 26.12.1');
  assert.equal(cli?.warning, true);
});

test('minimum Kubernetes version and version string parsing', () => {
  assert.doesNotThrow(() => checkMinimumVersion('v1.31.0'));
  assert.doesNotThrow(() => checkMinimumVersion('v1.34.2-gke.100'));
  assert.throws(() => checkMinimumVersion('v1.30.2'), {
    message: 'Kubernetes is on version [1.30.2], but version [1.31.0] or more recent is required',
  });
  assert.throws(() => checkMinimumVersion('v1.31'), { message: 'unknown version string format [v1.31]' });
});

test('clock skew: only Ready nodes, 5m10s allowance either way', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const node = (name: string, heartbeat: string, status = 'True') => ({
    metadata: { name },
    status: { conditions: [{ type: 'Ready', status, lastHeartbeatTime: heartbeat }] },
  });
  assert.deepEqual(
    nodesWithClockSkew(
      [
        node('fine', '2026-01-01T00:05:00Z'),
        node('late', '2026-01-01T00:04:49Z'),
        node('future', '2026-01-01T00:15:11Z'),
        node('notready', '2026-01-01T00:00:00Z', 'False'),
      ],
      now,
    ),
    ['late', 'future'],
  );
});

test('resource guessing follows client-go', () => {
  assert.equal(guessResource('ClusterRoleBinding'), 'clusterrolebindings');
  assert.equal(guessResource('MutatingWebhookConfiguration'), 'mutatingwebhookconfigurations');
  assert.equal(guessResource('NetworkPolicy'), 'networkpolicies');
  assert.equal(guessResource('Ingress'), 'ingresses');
});
