import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseSourceDocument } from '../../src/manifests/inject/documents.js';
import { parseValuesYaml } from '../../src/manifests/values/helm-values.js';

const flowConfigMap = (keys: number): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {${Array.from({ length: keys }, (_, i) => `k${i}: v${i}`).join(', ')}}\n`;

const valuesText = (keys: number): string =>
  `podAnnotations:\n${Array.from({ length: keys }, (_, i) => `  k${i}: "v${i}"`).join('\n')}\n`;

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

// Relative to a plain parse of the same text measured here, so a busy machine does not fail it; the
// quadratic duplicate-key check took ~100× that at this size.
test('large maps parse in linear time: inject documents and values files', { timeout: 60_000 }, () => {
  for (const [name, text, run] of [
    ['inject', flowConfigMap(40_000), (t: string) => parseSourceDocument({ source: 'big.yml', line: 1, text: t })],
    ['values', valuesText(40_000), (t: string) => parseValuesYaml(t, 'values.yml')],
  ] as const) {
    const baseline = time(() => parse(text, { version: '1.1', uniqueKeys: false }));
    const took = time(() => run(text));
    assert.ok(took < 5 * baseline + 200, `${name}: ${took.toFixed(0)} ms vs baseline ${baseline.toFixed(0)} ms`);
  }
});

test('duplicate keys are still errors with their position', () => {
  assert.throws(
    () => parseSourceDocument({ source: 'dup.yml', line: 1, text: 'kind: Pod\nmetadata: {name: a, name: b}\n' }),
    { message: 'dup.yml:2:21: Map keys must be unique' },
  );
  assert.throws(() => parseSourceDocument({ source: 'dup.yml', line: 4, text: 'a: 1\nb:\n  c: 1\n  c: 2\n' }), {
    message: 'dup.yml:7:3: Map keys must be unique',
  });
  assert.throws(() => parseValuesYaml('proxy:\n  logLevel: a\n  logLevel: b\n', 'v.yml'), {
    message: 'failed to parse v.yml: 3:3: Map keys must be unique',
  });
  // Different keys that only look alike are fine.
  parseValuesYaml('a: {"1": x, 1: y}\n', 'v.yml');
});
