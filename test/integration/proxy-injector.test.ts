// The proxy injector as a child process behind a MutatingWebhookConfiguration of the real
// kube-apiserver test bed: pods in an injection-enabled namespace are stored with the proxy, others
// unchanged, and the admin port counts the admission requests.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import { toYaml } from '../../src/manifests/yaml/emit.js';
import { L5D_VERSION } from '../../src/version.js';
import { freePort, startController, waitReady, type RunningController } from '../support/controllers.js';
import { kubectl, startTestbed, type Testbed } from '../support/testbed.js';
import { loopbackCertificate } from '../support/webhooks.js';

interface StoredPod {
  metadata: { annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: { containers: { name: string }[]; initContainers?: { name: string; restartPolicy?: string }[] };
}

describe('proxy injector', () => {
  let tb: Testbed;
  let ctrl: RunningController;
  let dir: string;
  let adminPort: number;

  const admin = (args: string[], stdin?: string) =>
    kubectl(args, stdin === undefined ? { kubeconfig: tb.adminKubeconfig } : { kubeconfig: tb.adminKubeconfig, stdin });

  const podManifest = (namespace: string, name: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace },
      spec: { containers: [{ name: 'web', image: 'example.com/web:1', ports: [{ containerPort: 8080 }] }] },
    });

  const getPod = async (namespace: string, name: string): Promise<StoredPod> =>
    JSON.parse((await admin(['get', 'pod', name, '-n', namespace, '-o', 'json'])).stdout) as StoredPod;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'l5d-injector-it-'));
    const [testbed] = await Promise.all([startTestbed(), loopbackCertificate(dir, 'linkerd-proxy-injector')]);
    tb = testbed;
    const anchors = readFileSync(join(process.cwd(), 'test', 'fixtures', 'certs', 'trust-anchors.pem'), 'utf8');
    mkdirSync(join(dir, 'config'));
    mkdirSync(join(dir, 'trust-roots'));
    const values = defaultValues();
    values.identityTrustAnchorsPEM = anchors;
    writeFileSync(join(dir, 'config', 'values'), toYaml(values));
    writeFileSync(join(dir, 'trust-roots', 'ca-bundle.crt'), anchors);

    const webhookPort = await freePort();
    adminPort = await freePort();
    ctrl = startController('proxy-injector', [
      '-log-level=info',
      '-log-format=plain',
      '-linkerd-namespace=linkerd',
      '-enable-pprof=false',
      `-kubeconfig=${tb.adminKubeconfig}`,
      `-addr=127.0.0.1:${webhookPort}`,
      `-metrics-addr=127.0.0.1:${adminPort}`,
      `-tls-dir=${dir}`,
      `-config-dir=${join(dir, 'config')}`,
      `-trust-roots-dir=${join(dir, 'trust-roots')}`,
    ]);
    await waitReady(ctrl, adminPort);

    // The chart points clientConfig at Service linkerd-proxy-injector; the test bed has no cluster
    // network to route a Service to a local process, so the webhook is addressed by URL instead.
    const caBundle = readFileSync(join(dir, 'tls.crt')).toString('base64');
    await admin(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: 'linkerd-proxy-injector-webhook-config' },
        webhooks: [
          {
            name: 'linkerd-proxy-injector.linkerd.io',
            clientConfig: { url: `https://127.0.0.1:${webhookPort}/`, caBundle },
            rules: [
              {
                operations: ['CREATE'],
                apiGroups: [''],
                apiVersions: ['v1'],
                resources: ['pods', 'services'],
                scope: 'Namespaced',
              },
            ],
            namespaceSelector: {
              matchExpressions: [
                { key: 'config.linkerd.io/admission-webhooks', operator: 'NotIn', values: ['disabled'] },
                { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'cert-manager'] },
              ],
            },
            objectSelector: {
              matchExpressions: [
                { key: 'linkerd.io/control-plane-component', operator: 'DoesNotExist' },
                { key: 'linkerd.io/cni-resource', operator: 'DoesNotExist' },
              ],
            },
            admissionReviewVersions: ['v1', 'v1beta1'],
            sideEffects: 'None',
            timeoutSeconds: 10,
            // Fail (not the chart's Ignore) so an unreachable webhook fails the test instead of
            // silently storing uninjected pods.
            failurePolicy: 'Fail',
          },
        ],
      }),
    );
    for (const ns of ['emojivoto', 'plain']) {
      await admin(['create', 'namespace', ns]);
      // No controller-manager on the test bed: the ServiceAccount admission plugin needs `default`.
      await admin(['create', 'serviceaccount', 'default', '-n', ns]);
    }
    await admin(['annotate', 'namespace', 'emojivoto', 'linkerd.io/inject=enabled']);
  });

  after(async () => {
    await ctrl?.stop();
    await tb?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('a pod in an injection-enabled namespace is stored with the proxy', async () => {
    // The namespace cache may lag the annotation by a moment; the first attempt may be rejected.
    let created = false;
    for (let i = 0; i < 50 && !created; i++) {
      const res = await admin(['create', '-f', '-'], podManifest('emojivoto', 'web')).catch(() => undefined);
      created = res !== undefined;
      if (!created) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(created, ctrl.logs());
    const pod = await getPod('emojivoto', 'web');
    const proxy = pod.spec.initContainers?.find((c) => c.name === 'linkerd-proxy');
    assert.ok(proxy, JSON.stringify(pod.spec));
    assert.equal(proxy.restartPolicy, 'Always');
    assert.ok(pod.spec.initContainers?.some((c) => c.name === 'linkerd-init'));
    const annotations = pod.metadata.annotations ?? {};
    assert.equal(annotations['linkerd.io/proxy-version'], L5D_VERSION);
    assert.equal(annotations['linkerd.io/inject'], 'enabled', 'inherited from the namespace');
    assert.equal(annotations['linkerd.io/created-by'], `linkerd/proxy-injector ${L5D_VERSION}`);
    assert.equal(pod.metadata.labels?.['linkerd.io/workload-ns'], 'emojivoto');
    assert.match(ctrl.logs(), /injection patch generated for: pod\/web/);
  });

  test('a pod in a namespace without the annotation is stored unchanged', async () => {
    await admin(['create', '-f', '-'], podManifest('plain', 'web'));
    const pod = await getPod('plain', 'web');
    assert.deepEqual(
      pod.spec.containers.map((c) => c.name),
      ['web'],
    );
    assert.equal(pod.spec.initContainers, undefined);
    assert.equal(pod.metadata.annotations?.['linkerd.io/proxy-version'], undefined);
    assert.match(ctrl.logs(), /skipped pod\/web: neither the namespace nor the pod have the annotation/);
  });

  test('the admin port counts the admission requests', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    const count = (ns: string) => {
      const line = metrics
        .split('\n')
        .find((l) => l.startsWith('proxy_inject_admission_requests_total{') && l.includes(`namespace="${ns}"`));
      return line === undefined ? 0 : Number(line.split(' ').pop());
    };
    assert.ok(count('emojivoto') >= 1, metrics);
    assert.ok(count('plain') >= 1, metrics);
    assert.match(metrics, /proxy_inject_admission_responses_total\{[^}]*namespace="plain"[^}]*skip="true"/);
  });
});
