import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ObjectMeta } from '../../src/kube/types.js';
import { findBlockers, listInstalledResources, type UninstallLister } from '../../src/uninstall/plan.js';
import { renderStubs } from '../../src/uninstall/render.js';

/** A fake cluster: collection path → objects; records every (path, selector) it is asked for. */
function fakeLister(collections: Record<string, ObjectMeta[]>): UninstallLister & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    list(path, labelSelector) {
      calls.push(`${path}?${labelSelector}`);
      return Promise.resolve((collections[path] ?? []).map((metadata) => ({ metadata })));
    },
  };
}

test('no blockers when meshed pods live only in the control-plane namespace', async () => {
  const lister = fakeLister({ '/api/v1/pods': [{ name: 'linkerd-destination-1', namespace: 'linkerd' }] });
  assert.deepEqual(await findBlockers(lister, 'linkerd'), []);
  assert.deepEqual(lister.calls.sort(), [
    '/api/v1/namespaces?linkerd.io/extension',
    '/api/v1/pods?linkerd.io/control-plane-ns',
  ]);
});

test('meshed pods elsewhere block with the uninject message', async () => {
  const lister = fakeLister({
    '/api/v1/pods': [
      { name: 'web-1', namespace: 'emojivoto' },
      { name: 'linkerd-identity-1', namespace: 'linkerd' },
      { name: 'vote-2', namespace: 'emojivoto' },
    ],
  });
  assert.deepEqual(await findBlockers(lister, 'linkerd'), [
    'Please uninject the following pods before uninstalling the control-plane:\n\t* web-1\n\t* vote-2\n',
  ]);
});

test('a custom control-plane namespace is the one skipped', async () => {
  const lister = fakeLister({ '/api/v1/pods': [{ name: 'linkerd-identity-1', namespace: 'linkerd' }] });
  assert.equal((await findBlockers(lister, 'l5d-system')).length, 1);
});

test('extensions block, their pods do not, and both messages appear in order', async () => {
  const lister = fakeLister({
    '/api/v1/namespaces': [{ name: 'linkerd-viz', labels: { 'linkerd.io/extension': 'viz' } }],
    '/api/v1/pods': [
      { name: 'tap-1', namespace: 'linkerd-viz' },
      { name: 'web-1', namespace: 'app' },
    ],
  });
  assert.deepEqual(await findBlockers(lister, 'linkerd'), [
    'Please uninstall the following extensions before uninstalling the control-plane:\n\t* viz\n',
    'Please uninject the following pods before uninstalling the control-plane:\n\t* web-1\n',
  ]);
});

test('lists every kind with the control-plane-ns selector, in deletion order', async () => {
  const lister = fakeLister({
    '/api/v1/namespaces': [{ name: 'linkerd', uid: 'x', labels: { a: 'b' } }],
    '/apis/rbac.authorization.k8s.io/v1/rolebindings': [{ name: 'rb', namespace: 'linkerd' }],
    '/apis/rbac.authorization.k8s.io/v1/clusterroles': [{ name: 'cr-a' }, { name: 'cr-b' }],
    '/apis/apiextensions.k8s.io/v1/customresourcedefinitions': [{ name: 'servers.policy.linkerd.io' }],
    '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations': [{ name: 'vw' }],
    '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations': [{ name: 'mw' }],
    '/apis/apiregistration.k8s.io/v1/apiservices': [{ name: 'v1alpha1.tap.linkerd.io' }],
    '/apis/rbac.authorization.k8s.io/v1/roles': [{ name: 'role', namespace: 'linkerd' }],
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings': [{ name: 'crb' }],
  });
  const stubs = await listInstalledResources(lister);
  assert.deepEqual(
    stubs.map((s) => `${s.apiVersion} ${s.kind} ${s.metadata.namespace ?? '-'}/${s.metadata.name}`),
    [
      'rbac.authorization.k8s.io/v1 ClusterRole -/cr-a',
      'rbac.authorization.k8s.io/v1 ClusterRole -/cr-b',
      'rbac.authorization.k8s.io/v1 ClusterRoleBinding -/crb',
      'rbac.authorization.k8s.io/v1 Role linkerd/role',
      'rbac.authorization.k8s.io/v1 RoleBinding linkerd/rb',
      'apiextensions.k8s.io/v1 CustomResourceDefinition -/servers.policy.linkerd.io',
      'apiregistration.k8s.io/v1 APIService -/v1alpha1.tap.linkerd.io',
      'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration -/mw',
      'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration -/vw',
      'v1 Namespace -/linkerd',
    ],
  );
  assert.deepEqual(stubs.at(-1), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linkerd' } });
  assert.ok(lister.calls.every((c) => c.endsWith('?linkerd.io/control-plane-ns')));
  assert.equal(lister.calls.length, 9);
});

test('nothing labelled yields an empty list', async () => {
  assert.deepEqual(await listInstalledResources(fakeLister({})), []);
});

const stubs = [
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'linkerd' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linkerd' } },
];

test('YAML output: each document followed by ---', () => {
  assert.equal(
    renderStubs(stubs, 'yaml'),
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\n  namespace: linkerd\n---\n' +
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: linkerd\n---\n',
  );
});

test('JSON output: one compact object per line', () => {
  assert.equal(
    renderStubs(stubs, 'json'),
    '{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","namespace":"linkerd"}}\n' +
      '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"linkerd"}}\n',
  );
});
