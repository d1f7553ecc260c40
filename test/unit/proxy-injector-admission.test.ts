import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { Registry } from 'prom-client';
import { buildSidecar } from '../../src/manifests/sidecar/index.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import type { JsonObject } from '../../src/manifests/inject/json.js';
import { handleAdmissionBody, type AdmissionDeps } from '../../src/runtime/proxy-injector/admission.js';
import { injectorMetrics } from '../../src/runtime/proxy-injector/metrics.js';
import { topLevelOwner } from '../../src/runtime/proxy-injector/owners.js';
import { createLogger } from '../../src/runtime/shared/log.js';
import type { EventTarget } from '../../src/runtime/shared/events.js';

const ANCHORS = readFileSync(join(process.cwd(), 'test', 'fixtures', 'certs', 'trust-anchors.pem'), 'utf8');

const NAMESPACES: Record<string, Record<string, string>> = {
  meshed: { 'linkerd.io/inject': 'enabled', 'config.linkerd.io/proxy-log-level': 'debug' },
  plain: {},
  opaque: { 'config.linkerd.io/opaque-ports': '4000' },
  bogus: { 'linkerd.io/inject': 'sometimes' },
};

interface Harness {
  deps: AdmissionDeps;
  registry: Registry;
  events: { target: EventTarget; reason: string; message: string }[];
  logs: () => string;
}

function harness(loadValues?: AdmissionDeps['loadValues']): Harness {
  const registry = new Registry();
  const events: Harness['events'] = [];
  let logText = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  const deps: AdmissionDeps = {
    loadValues:
      loadValues ??
      (() => {
        const values = defaultValues('test-version');
        values.identityTrustAnchorsPEM = ANCHORS;
        return Promise.resolve(values);
      }),
    namespaceAnnotations: (name) => NAMESPACES[name],
    ownerOf: (pod, namespace) =>
      topLevelOwner(pod as never, namespace, async (kind, ns, name) =>
        kind === 'ReplicaSet' && name === 'web-5d8f'
          ? {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              metadata: {
                name,
                namespace: ns,
                ownerReferences: [
                  { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-1', controller: true },
                ],
              },
            }
          : undefined,
      ),
    controlPlaneNamespace: 'linkerd',
    createdBy: 'linkerd/proxy-injector test-version',
    buildSidecar,
    metrics: injectorMetrics(registry),
    recordEvent: (target, reason, message) => events.push({ target, reason, message }),
    log: createLogger({ component: 'proxy-injector', level: 'info', format: 'plain', destination: sink }),
  };
  return { deps, registry, events, logs: () => logText };
}

function pod(
  namespace: string,
  extra: { annotations?: Record<string, string>; spec?: JsonObject; owned?: boolean } = {},
): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-5d8f-abcde',
      namespace,
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
      ...(extra.owned
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs-1', controller: true },
            ],
          }
        : {}),
    },
    spec: {
      containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }, { containerPort: 3306 }] }],
      ...extra.spec,
    },
  };
}

function review(kind: string, namespace: string, object: JsonObject, apiVersion = 'admission.k8s.io/v1'): string {
  return JSON.stringify({
    apiVersion,
    kind: 'AdmissionReview',
    request: { uid: 'uid-1', kind: { group: '', version: 'v1', kind }, namespace, operation: 'CREATE', object },
  });
}

interface Answer {
  apiVersion: string;
  request: { uid: string };
  response: { uid: string; allowed: boolean; patchType?: string; patch?: string; status?: { message: string } };
}

async function admit(h: Harness, body: string): Promise<Answer> {
  const reply = await handleAdmissionBody(body, h.deps);
  assert.equal(reply.status, 200, reply.body);
  return JSON.parse(reply.body) as Answer;
}

function patchOf(answer: Answer): Operation[] {
  assert.equal(answer.response.patchType, 'JSONPatch');
  return JSON.parse(Buffer.from(answer.response.patch!, 'base64').toString('utf8')) as Operation[];
}

function applied(obj: JsonObject, ops: Operation[]): JsonObject {
  return fastJsonPatch.applyPatch(structuredClone(obj), ops, true).newDocument;
}

interface PodView {
  metadata: { annotations: Record<string, string>; labels: Record<string, string> };
  spec: {
    initContainers: { name: string; restartPolicy?: string; env?: { name: string; value?: string }[] }[];
    containers: { name: string }[];
  };
}

test('a pod in a namespace annotated linkerd.io/inject: enabled gets the proxy as a native sidecar', async () => {
  const h = harness();
  const input = pod('meshed', { owned: true });
  const answer = await admit(h, review('Pod', 'meshed', input));
  assert.equal(answer.apiVersion, 'admission.k8s.io/v1');
  assert.equal(answer.request.uid, 'uid-1');
  assert.equal(answer.response.uid, 'uid-1');
  assert.equal(answer.response.allowed, true);
  const out = applied(input, patchOf(answer)) as unknown as PodView;
  const names = out.spec.initContainers.map((c) => c.name);
  assert.deepEqual(names, ['linkerd-init', 'linkerd-proxy']);
  const proxy = out.spec.initContainers[1]!;
  assert.equal(proxy.restartPolicy, 'Always');
  const env = Object.fromEntries((proxy.env ?? []).map((e) => [e.name, e.value]));
  assert.match(env.LINKERD2_PROXY_LOG ?? '', /^debug,/, 'namespace config annotation applies');
  assert.equal(env.LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION, '3306');
  assert.deepEqual(
    out.spec.containers.map((c) => c.name),
    ['web'],
  );
  const a = out.metadata.annotations;
  assert.equal(a['linkerd.io/created-by'], 'linkerd/proxy-injector test-version');
  assert.equal(a['linkerd.io/proxy-version'], 'test-version');
  assert.equal(a['linkerd.io/inject'], 'enabled');
  assert.equal(a['config.linkerd.io/proxy-log-level'], 'debug');
  assert.equal(a['config.linkerd.io/opaque-ports'], '3306');
  assert.match(a['linkerd.io/trust-root-sha256'] ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(out.metadata.labels, {
    'linkerd.io/control-plane-ns': 'linkerd',
    'linkerd.io/proxy-deployment': 'web',
    'linkerd.io/workload-ns': 'meshed',
  });
  assert.deepEqual(
    h.events.map((e) => [e.target.kind, e.target.name, e.reason, e.message]),
    [['Deployment', 'web', 'Injected', 'Linkerd sidecar proxy injected']],
  );
  const metrics = await h.registry.metrics();
  assert.match(
    metrics,
    /proxy_inject_admission_requests_total\{[^}]*owner_kind="deployment"[^}]*namespace="meshed"[^}]*annotation_at="namespace"[^}]*\} 1/,
  );
  assert.match(metrics, /proxy_inject_admission_responses_total\{[^}]*skip="false",skip_reason=""\} 1/);
  assert.match(h.logs(), /injection patch generated for: pod\/web-5d8f-abcde/);
});

test('the pod annotation alone injects; a bare pod gets no owner label and no event', async () => {
  const h = harness();
  const input = pod('plain', { annotations: { 'linkerd.io/inject': 'enabled' } });
  const out = applied(input, patchOf(await admit(h, review('Pod', 'plain', input)))) as unknown as PodView;
  assert.ok(out.spec.initContainers.some((c) => c.name === 'linkerd-proxy'));
  assert.equal(out.metadata.labels['linkerd.io/proxy-deployment'], undefined);
  assert.deepEqual(h.events, []);
});

test('a pod with linkerd.io/inject: disabled is skipped but gets the default opaque-ports annotation', async () => {
  const h = harness();
  const input = pod('meshed', { annotations: { 'linkerd.io/inject': 'disabled' }, owned: true });
  const answer = await admit(h, review('Pod', 'meshed', input));
  assert.deepEqual(patchOf(answer), [
    { op: 'add', path: '/metadata/annotations/config.linkerd.io~1opaque-ports', value: '3306' },
  ]);
  assert.deepEqual(
    h.events.map((e) => e.message),
    ['Linkerd sidecar proxy injection skipped: pod has the annotation "linkerd.io/inject:disabled"'],
  );
});

test('a skipped pod without default-opaque ports is admitted unchanged and counted as skipped', async () => {
  const h = harness();
  const input = pod('plain', { spec: { containers: [{ name: 'web', image: 'web:1' }] } });
  const answer = await admit(h, review('Pod', 'plain', input));
  assert.deepEqual(answer.response, { uid: 'uid-1', allowed: true });
  assert.match(
    await h.registry.metrics(),
    /proxy_inject_admission_responses_total\{[^}]*skip="true",skip_reason="injection_enable_annotation_absent"\} 1/,
  );
  assert.match(h.logs(), /skipped pod\/web-5d8f-abcde: neither the namespace nor the pod have the annotation/);
});

test('an already injected pod is not injected again', async () => {
  const h = harness();
  const input = pod('meshed', {
    annotations: { 'config.linkerd.io/opaque-ports': '3306' },
    spec: { initContainers: [{ name: 'linkerd-proxy', image: 'ghcr.io/l5d/proxy:x' }] },
  });
  const answer = await admit(h, review('Pod', 'meshed', input));
  assert.deepEqual(answer.response, { uid: 'uid-1', allowed: true });
  assert.match(await h.registry.metrics(), /skip="true",skip_reason="sidecar_already_exists"/);
});

test('a hostNetwork pod is allowed and not injected', async () => {
  const h = harness();
  const input = pod('meshed', { spec: { hostNetwork: true, containers: [{ name: 'web', image: 'web:1' }] } });
  const answer = await admit(h, review('Pod', 'meshed', input));
  assert.deepEqual(answer.response, { uid: 'uid-1', allowed: true });
  assert.match(h.logs(), /skipped pod\/web-5d8f-abcde: hostNetwork is enabled/);
});

test('an invalid linkerd.io/inject value on the namespace blocks injection', async () => {
  const h = harness();
  const input = pod('bogus', {
    annotations: { 'linkerd.io/inject': 'enabled' },
    spec: { containers: [{ name: 'a' }] },
  });
  const answer = await admit(h, review('Pod', 'bogus', input));
  assert.equal(answer.response.patch, undefined);
  assert.match(h.logs(), /invalid value for annotation \\?"linkerd.io\/inject\\?" at namespace/);
});

function service(ports: JsonObject[], annotations?: Record<string, string>): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'db', ...(annotations ? { annotations } : {}) },
    spec: { ports },
  };
}

test('Services get the default opaque ports they expose (named target ports never count)', async () => {
  const h = harness();
  const svc = service([
    { name: 'a', port: 9090, targetPort: 3306 },
    { name: 'b', port: 8080, targetPort: 'mysql' },
    { name: 'c', port: 3306 },
    { name: 'd', port: 80, targetPort: 8080 },
  ]);
  const answer = await admit(h, review('Service', 'plain', svc, 'admission.k8s.io/v1beta1'));
  assert.equal(answer.apiVersion, 'admission.k8s.io/v1beta1');
  assert.deepEqual(patchOf(answer), [
    { op: 'add', path: '/metadata/annotations', value: {} },
    { op: 'add', path: '/metadata/annotations/config.linkerd.io~1opaque-ports', value: '9090,3306' },
  ]);
  assert.deepEqual(h.events, [], 'Services have no parent, so no events');
});

test('Services inherit the namespace opaque-ports annotation, and keep their own', async () => {
  const h = harness();
  const inherited = await admit(h, review('Service', 'opaque', service([{ port: 80 }])));
  assert.deepEqual(patchOf(inherited), [
    { op: 'add', path: '/metadata/annotations', value: {} },
    { op: 'add', path: '/metadata/annotations/config.linkerd.io~1opaque-ports', value: '4000' },
  ]);
  const own = await admit(
    h,
    review('Service', 'opaque', service([{ port: 3306 }], { 'config.linkerd.io/opaque-ports': '5000' })),
  );
  assert.deepEqual(own.response, { uid: 'uid-1', allowed: true });
  const none = await admit(h, review('Service', 'plain', service([{ port: 80 }])));
  assert.deepEqual(none.response, { uid: 'uid-1', allowed: true });
});

test('other kinds are allowed untouched', async () => {
  const h = harness();
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: {} };
  const answer = await admit(h, review('ConfigMap', 'meshed', cm));
  assert.deepEqual(answer.response, { uid: 'uid-1', allowed: true });
  assert.match(await h.registry.metrics(), /owner_kind="configmap"/);
});

test('malformed bodies are HTTP 400; an empty body is an empty 200', async () => {
  const h = harness();
  const bad = await handleAdmissionBody('{not json', h.deps);
  assert.equal(bad.status, 400);
  assert.match(bad.body, /^failed to decode admission review request: /);
  const noUid = await handleAdmissionBody(JSON.stringify({ kind: 'AdmissionReview', request: {} }), h.deps);
  assert.deepEqual([noUid.status, noUid.body], [400, 'invalid admission review request\n']);
  const empty = await handleAdmissionBody('', h.deps);
  assert.deepEqual([empty.status, empty.body], [200, '']);
  assert.match(h.logs(), /received empty payload/);
});

test('handler errors reject the object with allowed: false and the error text', async () => {
  const h = harness(() => Promise.reject(new Error('open /var/run/linkerd/config/values: no such file')));
  const answer = await admit(h, review('Pod', 'meshed', pod('meshed')));
  assert.deepEqual(answer.response, {
    uid: 'uid-1',
    allowed: false,
    status: { message: 'open /var/run/linkerd/config/values: no such file' },
  });
  const h2 = harness();
  const unknownNs = await admit(h2, review('Pod', 'nowhere', pod('nowhere')));
  assert.equal(unknownNs.response.allowed, false);
  assert.equal(unknownNs.response.status?.message, 'namespace "nowhere" not found');
});
