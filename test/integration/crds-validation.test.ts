// The Linkerd CRDs of `l5d install --crds` against a real kube-apiserver: valid objects of each
// family are stored, and an object breaking one of the schema's rules is refused by the API server.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { renderCrds } from '../../src/manifests/crds/index.js';
import { kubectl, startTestbed, type Testbed } from '../support/testbed.js';

const NS = 'crd-check';

interface Case {
  family: string;
  valid: Record<string, unknown>;
  /** The same object with one rule broken, and what the API server says about it. */
  invalid: Record<string, unknown>;
  refusal: RegExp;
}

const meta = (name: string) => ({ name, namespace: NS });

const route = (headerName: string) => ({
  apiVersion: 'policy.linkerd.io/v1beta3',
  kind: 'HTTPRoute',
  metadata: meta(headerName === 'x-user' ? 'ok' : 'bad-header'),
  spec: {
    parentRefs: [{ group: 'core', kind: 'Service', name: 'web', port: 80 }],
    rules: [{ matches: [{ headers: [{ name: headerName, value: 'a' }] }] }],
  },
});

const CASES: Case[] = [
  {
    family: 'httproutes.policy.linkerd.io (header name pattern)',
    valid: route('x-user'),
    invalid: route('bad header'),
    refusal:
      /spec\.rules\[0\]\.matches\[0\]\.headers\[0\]\.name: Invalid value: "bad header": spec\.rules\[0\]\.matches\[0\]\.headers\[0\]\.name in body should match/,
  },
  {
    family: 'serviceprofiles.linkerd.io',
    valid: {
      apiVersion: 'linkerd.io/v1alpha2',
      kind: 'ServiceProfile',
      metadata: meta('web.crd-check.svc.cluster.local'),
      spec: { dstOverrides: [{ authority: 'web-v2:80', weight: '500m' }] },
    },
    invalid: {
      apiVersion: 'linkerd.io/v1alpha2',
      kind: 'ServiceProfile',
      metadata: meta('bad.crd-check.svc.cluster.local'),
      spec: { dstOverrides: [{ authority: 'web-v2:80', weight: 'half' }] },
    },
    refusal: /spec\.dstOverrides\[0\]\.weight/,
  },
  {
    family: 'servers.policy.linkerd.io',
    valid: {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: meta('web'),
      spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http' },
    },
    invalid: {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'Server',
      metadata: meta('both'),
      spec: { podSelector: {}, externalWorkloadSelector: {}, port: 80 },
    },
    refusal: /must validate one and only one schema \(oneOf\)/,
  },
  {
    family: 'authorizationpolicies.policy.linkerd.io',
    valid: {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: meta('ok'),
      spec: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' }, requiredAuthenticationRefs: [] },
    },
    invalid: {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'AuthorizationPolicy',
      metadata: meta('bad'),
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Not A Kind', name: 'web' },
        requiredAuthenticationRefs: [],
      },
    },
    refusal: /spec\.targetRef\.kind/,
  },
  {
    family: 'networkauthentications.policy.linkerd.io',
    valid: {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'NetworkAuthentication',
      metadata: meta('ok'),
      spec: { networks: [{ cidr: '10.0.0.0/8' }] },
    },
    invalid: {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'NetworkAuthentication',
      metadata: meta('bad'),
      spec: {},
    },
    refusal: /spec\.networks: Required value/,
  },
  {
    family: 'meshtlsauthentications.policy.linkerd.io',
    valid: {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: meta('ok'),
      spec: { identities: ['*'] },
    },
    invalid: {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'MeshTLSAuthentication',
      metadata: meta('bad'),
      spec: {},
    },
    refusal: /must validate one and only one schema \(oneOf\)/,
  },
  {
    family: 'egressnetworks.policy.linkerd.io',
    valid: {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'EgressNetwork',
      metadata: meta('ok'),
      spec: { trafficPolicy: 'Allow' },
    },
    invalid: {
      apiVersion: 'policy.linkerd.io/v1alpha1',
      kind: 'EgressNetwork',
      metadata: meta('bad'),
      spec: { trafficPolicy: 'Maybe' },
    },
    refusal: /spec\.trafficPolicy: Unsupported value: "Maybe"/,
  },
  {
    family: 'externalworkloads.workload.linkerd.io',
    valid: {
      apiVersion: 'workload.linkerd.io/v1beta1',
      kind: 'ExternalWorkload',
      metadata: meta('ok'),
      spec: { meshTLS: { identity: 'spiffe://root.linkerd.cluster.local/vm', serverName: 'vm.cluster.local' } },
    },
    invalid: {
      apiVersion: 'workload.linkerd.io/v1beta1',
      kind: 'ExternalWorkload',
      metadata: meta('bad'),
      spec: { meshTLS: { identity: 'spiffe://root.linkerd.cluster.local/vm' } },
    },
    refusal: /spec\.meshTLS\.serverName: Required value/,
  },
];

describe('Linkerd CRD schemas in a real kube-apiserver', { timeout: 300_000 }, () => {
  let tb: Testbed;
  const admin = (args: string[], stdin?: string) =>
    kubectl(args, { kubeconfig: tb.adminKubeconfig, allowFailure: true, ...(stdin === undefined ? {} : { stdin }) });

  before(async () => {
    tb = await startTestbed();
    const crds = renderCrds({
      controlPlaneNamespace: 'linkerd',
      createdBy: 'test',
      chartVersion: '0.0.0',
      gatewayApi: { httpRoutes: false, tlsRoutes: false, tcpRoutes: false },
    });
    const applied = await admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds }));
    assert.equal(applied.code, 0, applied.stderr);
    for (const crd of crds) {
      const ready = await admin(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name}`]);
      assert.equal(ready.code, 0, ready.stderr);
    }
    assert.equal((await admin(['create', 'namespace', NS])).code, 0);
  });

  after(async () => {
    await tb?.stop();
  });

  for (const c of CASES) {
    test(`${c.family}: valid is stored, invalid is refused`, async () => {
      const ok = await admin(['create', '-f', '-'], JSON.stringify(c.valid));
      assert.equal(ok.code, 0, `${c.family} valid: ${ok.stderr}`);
      const bad = await admin(['create', '-f', '-'], JSON.stringify(c.invalid));
      assert.notEqual(bad.code, 0, `${c.family}: the invalid object was stored`);
      assert.match(bad.stderr, c.refusal);
    });
  }
});
