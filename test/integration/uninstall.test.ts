// `l5d uninstall` against a real etcd + kube-apiserver: what it lists after `l5d install`, that its
// output feeds `kubectl delete -f -`, and that meshed pods and extensions make it refuse.
// The CLI runs as a child process from dist/ (run `npm run build` first).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kubectl, REPO_ROOT, run, startTestbed, type RunResult, type Testbed } from '../support/testbed.js';
import { KUBERNETES_ENDPOINT_SLICE } from '../support/mesh-objects.js';

const CLI = join(REPO_ROOT, 'bin', 'run.js');

const KIND_ORDER = [
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'Namespace',
];

interface Stub {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const parseJsonLines = (text: string): Stub[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Stub);

describe('l5d uninstall against a real kube-apiserver', { timeout: 180_000 }, () => {
  let tb: Testbed;
  const admin = (args: string[], stdin?: string) =>
    kubectl(args, { kubeconfig: tb.adminKubeconfig, ...(stdin === undefined ? {} : { stdin }) });
  const l5d = (args: string[]): Promise<RunResult> =>
    run('node', [CLI, ...args, '--kubeconfig', tb.adminKubeconfig], { allowFailure: true, timeoutMs: 60_000 });
  const applyObject = (object: unknown) => admin(['apply', '-f', '-'], JSON.stringify(object));

  before(async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'commands', 'uninstall.js')), 'run `npm run build` before this suite');
    tb = await startTestbed();
  });

  after(async () => {
    await tb?.stop();
  });

  test('with nothing installed it says so on stderr and exits 0', async () => {
    const r = await l5d(['uninstall']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'No resources found to uninstall\n');
  });

  test('after install it lists the control plane in deletion order', async () => {
    const crds = await l5d(['install', '--crds', '--set', 'installGatewayAPI=true']);
    assert.equal(crds.code, 0, crds.stderr);
    await admin(['apply', '--server-side', '-f', '-'], crds.stdout);
    await applyObject(KUBERNETES_ENDPOINT_SLICE);
    const cp = await l5d(['install']);
    assert.equal(cp.code, 0, cp.stderr);
    await admin(['apply', '--server-side', '-f', '-'], cp.stdout);

    const r = await l5d(['uninstall', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const stubs = parseJsonLines(r.stdout);
    const kinds = stubs.map((s) => s.kind);
    const present = KIND_ORDER.filter((k) => kinds.includes(k));
    assert.deepEqual([...new Set(kinds)], present, 'kinds appear grouped, in deletion order');
    for (const k of [
      'ClusterRole',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'MutatingWebhookConfiguration',
      'ValidatingWebhookConfiguration',
      'Namespace',
    ]) {
      assert.ok(kinds.includes(k), `${k} listed`);
    }
    const names = new Set(stubs.map((s) => `${s.kind}/${s.metadata.name}`));
    for (const n of [
      'CustomResourceDefinition/servers.policy.linkerd.io',
      'CustomResourceDefinition/httproutes.gateway.networking.k8s.io',
      'MutatingWebhookConfiguration/linkerd-proxy-injector-webhook-config',
      'Namespace/linkerd',
    ]) {
      assert.ok(names.has(n), `${n} listed`);
    }
    assert.deepEqual(stubs.at(-1), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linkerd' } });

    const yaml = await l5d(['uninstall']);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.equal(yaml.stdout.split('\n---\n').length - 1, stubs.length, 'one YAML document per stub');
    assert.ok(yaml.stdout.endsWith('\n---\n'));
  });

  test('a meshed pod outside the control plane makes it refuse; --force proceeds', async () => {
    await applyObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } });
    // The ServiceAccount admission plugin wants one; no controller-manager creates it here.
    await applyObject({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'app' } });
    await applyObject({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace: 'app', labels: { 'linkerd.io/control-plane-ns': 'linkerd' } },
      spec: { containers: [{ name: 'web', image: 'example/web:1' }] },
    });
    const refused = await l5d(['uninstall']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.equal(
      refused.stderr,
      'Please uninject the following pods before uninstalling the control-plane:\n\t* web-1\n',
    );

    const forced = await l5d(['uninstall', '--force', '-o', 'json']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(parseJsonLines(forced.stdout).some((s) => s.kind === 'Namespace' && s.metadata.name === 'linkerd'));
  });

  test('an extension namespace makes it refuse too, with both messages', async () => {
    await applyObject({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'linkerd-viz', labels: { 'linkerd.io/extension': 'viz' } },
    });
    const refused = await l5d(['uninstall']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.equal(
      refused.stderr,
      'Please uninstall the following extensions before uninstalling the control-plane:\n\t* viz\n' +
        'Please uninject the following pods before uninstalling the control-plane:\n\t* web-1\n',
    );
    await admin(['delete', 'pod', '-n', 'app', 'web-1', '--grace-period=0', '--force']);
    const onlyExtension = await l5d(['uninstall']);
    assert.equal(onlyExtension.code, 1);
    assert.equal(
      onlyExtension.stderr,
      'Please uninstall the following extensions before uninstalling the control-plane:\n\t* viz\n',
    );
    await admin(['label', 'namespace', 'linkerd-viz', 'linkerd.io/extension-']);
  });

  test('its output piped to kubectl delete -f - removes the install', async () => {
    const r = await l5d(['uninstall']);
    assert.equal(r.code, 0, r.stderr);
    const deleted = await admin(['delete', '--wait=false', '-f', '-'], r.stdout);
    assert.equal(deleted.stdout.trim().split('\n').length, r.stdout.split('---\n').length - 1, deleted.stdout);

    const gone = await admin([
      'get',
      'clusterroles,clusterrolebindings,roles,rolebindings,mutatingwebhookconfigurations,validatingwebhookconfigurations',
      '--all-namespaces',
      '-l',
      'linkerd.io/control-plane-ns',
      '-o',
      'name',
    ]);
    assert.equal(gone.stdout, '');
    // Namespaces need a controller-manager to finish deleting, and this API server finalizes CRDs
    // only once their fresh storage is ready (it retries with back-off): both must at least be
    // marked for deletion, and nothing else may remain.
    const after = parseJsonLines((await l5d(['uninstall', '-o', 'json'])).stdout);
    assert.ok(
      after.every((s) => s.kind === 'CustomResourceDefinition' || s.kind === 'Namespace'),
      JSON.stringify(after),
    );
    const ns = await admin(['get', 'namespace', 'linkerd', '-o', 'jsonpath={.status.phase}']);
    assert.equal(ns.stdout, 'Terminating');
    const crds = await admin([
      'get',
      'crd',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{"\\n"}{end}',
    ]);
    const linkerdCrds = crds.stdout.split('\n').filter((l) => /\.(linkerd\.io|gateway\.networking\.k8s\.io) /.test(l));
    assert.equal(linkerdCrds.length, after.filter((s) => s.kind === 'CustomResourceDefinition').length, crds.stdout);
    assert.ok(
      linkerdCrds.every((l) => /Z$/.test(l)),
      crds.stdout,
    );
  });
});
