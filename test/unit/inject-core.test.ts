import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastJsonPatch from 'fast-json-patch';
import { parse, parseAllDocuments } from 'yaml';
import { injectObject, type InjectConfig } from '../../src/manifests/inject/core.js';
import { buildSidecar } from '../../src/manifests/sidecar/index.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import { rewriteYamlDocument } from '../../src/manifests/inject/yaml-edit.js';
import { applyConfigAnnotations, withNamespaceDefaults } from '../../src/manifests/inject/config-annotations.js';
import { overrideAnnotations } from '../../src/manifests/inject/overrides.js';
import { splitStream } from '../../src/manifests/inject/documents.js';
import { uninjectObject } from '../../src/manifests/inject/uninject.js';
import type { JsonObject } from '../../src/manifests/inject/json.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'inject');
const values = defaultValues('test');
values.identityTrustAnchorsPEM = readFileSync(
  join(process.cwd(), 'test', 'fixtures', 'certs', 'trust-anchors.pem'),
  'utf8',
);

function config(manual: boolean): InjectConfig {
  return {
    manual,
    controlPlaneNamespace: 'linkerd',
    values,
    overrides: {},
    enableDebugSidecar: true,
    createdBy: 'linkerd/cli test',
    buildSidecar,
  };
}

for (const file of [
  'deployment.input.yml',
  'pod.input.yml',
  'cronjob-nometa.input.yml',
  'capabilities.input.yml',
  'job.input.yml',
]) {
  for (const manual of [false, true]) {
    test(`the JSON patch reproduces the direct result: ${file} ${manual ? 'manual' : 'auto'}`, () => {
      const input = parse(readFileSync(join(FIXTURES, file), 'utf8')) as JsonObject;
      const outcome = injectObject(input, config(manual));
      const patched = fastJsonPatch.applyPatch(structuredClone(input), outcome.patch, true, false).newDocument;
      assert.deepEqual(patched, outcome.value);
      assert.ok(outcome.patch.length > 0);
    });
  }
}

test('injectObject never mutates its input', () => {
  const input = parse(readFileSync(join(FIXTURES, 'deployment.input.yml'), 'utf8')) as JsonObject;
  const before = structuredClone(input);
  injectObject(input, config(true));
  assert.deepEqual(input, before);
});

test('uninject removes exactly what manual injection added', () => {
  const input = parse(readFileSync(join(FIXTURES, 'deployment.input.yml'), 'utf8')) as JsonObject;
  const injected = injectObject(input, config(true)).value;
  const back = uninjectObject(injected);
  assert.equal(back.uninjected, true);
  const withoutDebugFlag = structuredClone(back.value);
  const meta = (withoutDebugFlag.spec as JsonObject).template as JsonObject;
  delete (meta.metadata as JsonObject).annotations;
  assert.deepEqual(withoutDebugFlag, input);
});

test('rewriteYamlDocument keeps comments, quoting and untouched lines', () => {
  const src = '# head\na: 1 # one\nb:\n  - x   # ex\n  - "y"\nc: {k: v}\n';
  const doc = parseAllDocuments(src)[0]!;
  if (!('contents' in doc)) throw new Error('parse');
  const out = rewriteYamlDocument(
    src,
    doc.contents,
    doc,
    { a: 2, b: ['x', 'y', 'z'], c: { k: 'v', q: 'true' }, d: { e: '1' } },
    { indent: 2, indentSeq: true },
  );
  assert.equal(out, '# head\na: 2 # one\nb:\n  - x   # ex\n  - "y"\n  - z\nc: {k: v, q: "true"}\nd:\n  e: "1"\n');
  assert.deepEqual(parse(out), { a: 2, b: ['x', 'y', 'z'], c: { k: 'v', q: 'true' }, d: { e: '1' } });
});

test('rewriteYamlDocument removes whole lines and falls back to re-rendering when it must', () => {
  const src = 'items:\n- name: a\n  v: 1\n- name: b\n  v: 2\n';
  const doc = parseAllDocuments(src)[0]!;
  if (!('contents' in doc)) throw new Error('parse');
  assert.equal(
    rewriteYamlDocument(src, doc.contents, doc, { items: [{ name: 'b', v: 2 }] }, { indent: 2, indentSeq: false }),
    'items:\n- name: b\n  v: 2\n',
  );
  assert.deepEqual(
    parse(
      rewriteYamlDocument(
        src,
        doc.contents,
        doc,
        { items: [{ v: 1 }, { name: 'b', v: 2 }] },
        { indent: 2, indentSeq: false },
      ),
    ),
    {
      items: [{ v: 1 }, { name: 'b', v: 2 }],
    },
  );
});

test('config annotations map onto values (inject.md §6.10)', () => {
  const v = applyConfigAnnotations(
    values,
    {
      'config.linkerd.io/proxy-cpu-request': '0.5',
      'config.linkerd.io/proxy-cpu-limit': '1.5',
      'config.linkerd.io/proxy-outbound-connect-timeout': '6s5ms',
      'config.linkerd.io/proxy-inbound-discovery-cache-unused-timeout': '6000ms',
      'config.linkerd.io/shutdown-grace-period': '30s',
      'config.linkerd.io/opaque-ports': '3000,mysql,bogus',
      'config.linkerd.io/admin-port': 'nope',
      'linkerd.io/inject': 'ingress',
    },
    { containers: [{ name: 'db', ports: [{ name: 'mysql', containerPort: 3306 }] }] },
  );
  assert.equal(v.proxy.resources.cpu?.request, '500m');
  assert.equal(v.proxy.runtime.workers.minimum, 1);
  assert.equal(v.proxy.runtime.workers.maximum, 2);
  assert.equal(v.proxy.outboundConnectTimeout, '6005ms');
  assert.equal(v.proxy.inboundDiscoveryCacheUnusedTimeout, '6s');
  assert.equal(v.proxy.shutdownGracePeriod, '30000ms');
  assert.equal(v.proxy.opaquePorts, '3000,3306');
  assert.equal(v.proxy.ports.admin, 4191);
  assert.equal(v.proxy.isIngress, true);
});

test('namespace annotations are inherited only where the pod has none, and only inheritable ones', () => {
  const merged = withNamespaceDefaults(
    { 'config.linkerd.io/proxy-log-level': 'debug' },
    {
      'config.linkerd.io/proxy-log-level': 'info',
      'config.linkerd.io/skip-outbound-ports': '34567',
      'config.linkerd.io/enable-gateway': 'true',
    },
  );
  assert.deepEqual(merged, {
    'config.linkerd.io/proxy-log-level': 'debug',
    'config.linkerd.io/skip-outbound-ports': '34567',
  });
});

test('override annotations record only what the flags changed (inject.md §2.3)', () => {
  const changed = structuredClone(values);
  changed.proxy.ports.admin = 1234;
  changed.proxy.isIngress = true;
  changed.proxy.gid = -1;
  assert.deepEqual(overrideAnnotations(values, changed), {
    'config.linkerd.io/admin-port': '1234',
    'linkerd.io/inject': 'ingress',
  });
  assert.deepEqual(overrideAnnotations(values, structuredClone(values)), {});
});

test('the stream splitter follows the Kubernetes reader', () => {
  const segments = splitStream({ name: 's', text: '---\na: 1\n--- # c\n\n---\nb: 2' });
  assert.deepEqual(
    segments.map((s) => (s.kind === 'raw' ? `raw:${s.text}` : `doc@${s.doc.line}:${s.doc.text}`)),
    ['raw:---\n', 'doc@2:a: 1\n', 'raw:--- # c\n', 'doc@4:\n', 'raw:---\n', 'doc@6:b: 2'],
  );
  assert.throws(
    () => splitStream({ name: 'f.yml', text: 'a: 1\n--- x\n' }),
    /f\.yml:2: invalid Yaml document separator: x/,
  );
});
