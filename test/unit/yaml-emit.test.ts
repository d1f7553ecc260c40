import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { toYaml, toYamlStream, toJsonLines } from '../../src/manifests/yaml/emit.js';

test('YAML 1.1 booleans and octal-looking strings are quoted', () => {
  const out = toYaml({ a: 'no', b: 'on', c: 'yes', d: 'y', e: '0755', f: 'true', g: 'plain', h: true, i: 8080 });
  const parsed11 = parse(out, { version: '1.1' }) as Record<string, unknown>;
  assert.deepEqual(parsed11, {
    a: 'no',
    b: 'on',
    c: 'yes',
    d: 'y',
    e: '0755',
    f: 'true',
    g: 'plain',
    h: true,
    i: 8080,
  });
  assert.match(out, /^g: plain$/m);
});

test('long and multi-line strings are never folded', () => {
  const pem = `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n${'B'.repeat(20)}\n-----END CERTIFICATE-----`;
  const b64 = 'Q'.repeat(500);
  const out = toYaml({ pem, b64 });
  assert.ok(out.includes(`b64: ${b64}\n`));
  assert.match(out, /^pem: \|-\n {2}-----BEGIN CERTIFICATE-----$/m);
  assert.deepEqual(parse(out), { pem, b64 });
});

test('streams open every document with ---, JSON is one document per line', () => {
  assert.equal(toYamlStream([{ a: 1 }, { b: 2 }], ['### A']), '---\n### A\na: 1\n---\nb: 2\n');
  assert.equal(toJsonLines([{ a: 1 }, { b: 2 }]), '{"a":1}\n{"b":2}\n');
});

test('objects reused in several places are written out, never as anchors', () => {
  const shared = { drop: ['ALL'] };
  const out = toYaml({ a: shared, b: shared });
  assert.doesNotMatch(out, /[&*]a1/);
  assert.deepEqual(parse(out), { a: shared, b: shared });
});
