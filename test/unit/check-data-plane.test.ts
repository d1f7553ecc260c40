import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Endpoints, V1Service } from '@kubernetes/client-node';
import { checkPodLabels, checkServiceAnnotations, checkServiceLabels } from '../../src/checks/labels.js';
import { opaquePortProblems } from '../../src/checks/opaque-ports.js';
import type { Pod } from '../../src/checks/pods.js';
import { checkTrustBundles } from '../../src/checks/trust-bundle.js';
import type { KubeApi } from '../../src/checks/kube-api.js';

const svc = (ports: { port: number; targetPort?: number | string }[], opaque?: string): V1Service => ({
  metadata: {
    name: 'web',
    namespace: 'app',
    ...(opaque ? { annotations: { 'config.linkerd.io/opaque-ports': opaque } } : {}),
  },
  spec: { ports },
});
const endpoints: V1Endpoints = {
  subsets: [{ addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', name: 'web-1' } }] }],
};
const pod = (opaque?: string): Pod => ({
  metadata: {
    name: 'web-1',
    namespace: 'app',
    ...(opaque ? { annotations: { 'config.linkerd.io/opaque-ports': opaque } } : {}),
  },
  spec: { containers: [{ name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }] },
});
const problems = (s: V1Service, p: Pod) => opaquePortProblems(s, endpoints, new Map([['web-1', p]]));

test('opaque ports: service and pod annotations must agree', () => {
  assert.deepEqual(problems(svc([{ port: 3306 }], '3306'), pod('3306')), []);
  assert.deepEqual(problems(svc([{ port: 3306 }], '3306'), pod()), [
    'service web expects target port 3306 to be opaque; add it to pod web-1 config.linkerd.io/opaque-ports annotation',
  ]);
  assert.deepEqual(problems(svc([{ port: 3306 }]), pod('3306')), [
    'service web targets the opaque port 3306; add it to its config.linkerd.io/opaque-ports annotation',
  ]);
  assert.deepEqual(problems(svc([{ port: 80, targetPort: 8080 }]), pod('8080')), [
    'service web targets the opaque port 8080 through 80; add 80 to its config.linkerd.io/opaque-ports annotation',
  ]);
  assert.deepEqual(problems(svc([{ port: 80, targetPort: 'http' }]), pod('8080')), [
    'service web targets the opaque port http through 80; add 80 to its config.linkerd.io/opaque-ports annotation',
  ]);
  assert.throws(() => problems(svc([{ port: 80 }]), pod('80,abc')), {
    message: 'failed to convert abc to port number for pod web-1',
  });
});

test('label and annotation misuse messages', () => {
  const p = { metadata: { name: 'p', namespace: 'app', labels: { 'linkerd.io/inject': 'enabled', app: 'x' } } };
  assert.throws(() => checkPodLabels([p]), {
    message: 'Some labels on data plane pods should be annotations:\n\t* app/p\n\t\tlinkerd.io/inject',
  });
  assert.doesNotThrow(() => checkServiceLabels([{ metadata: { name: 's', labels: { app: 'x' } } }]));
  assert.throws(
    () =>
      checkServiceAnnotations([
        { metadata: { name: 's', namespace: 'n', annotations: { 'mirror.linkerd.io/exported': 'true' } } },
      ]),
    { message: 'Some annotations on data plane services should be labels:\n\t* n/s\n\t\tmirror.linkerd.io/exported' },
  );
});

test('trust bundle comparison ignores control-plane pods and names stale ones', async () => {
  const kube: KubeApi = { request: async <T>() => ({ data: { 'ca-bundle.crt': 'CURRENT\n' } }) as T };
  const meshed = (ns: string, name: string, bundle: string): Pod => ({
    metadata: { name, namespace: ns },
    spec: {
      containers: [{ name: 'linkerd-proxy', env: [{ name: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', value: bundle }] }],
    },
  });
  await checkTrustBundles(kube, 'linkerd', [meshed('linkerd', 'cp', 'OLD'), meshed('app', 'ok', 'CURRENT')], false);
  await assert.rejects(
    checkTrustBundles(kube, 'linkerd', [meshed('app', 'a', 'OLD'), meshed('b', 'c', 'OLD')], false),
    {
      message: 'Some pods do not have the current trust bundle and must be restarted:\n\t* app/a\n\t* b/c',
    },
  );
  await assert.rejects(checkTrustBundles(kube, 'linkerd', [meshed('app', 'a', 'OLD')], true), {
    message: 'Some pods do not have the current trust bundle and must be restarted:\n\t* a',
  });
});
