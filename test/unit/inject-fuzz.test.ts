import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Chalk } from 'chalk';
import { parseAllDocuments } from 'yaml';
import { runInject, runUninject } from '../../src/manifests/inject/pipeline.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'inject');
const base = defaultValues('test');
base.identityTrustAnchorsPEM = readFileSync(
  join(process.cwd(), 'test', 'fixtures', 'certs', 'trust-anchors.pem'),
  'utf8',
);
const seeds = ['deployment.input.yml', 'list.input.yml', 'empty-resources.input.yml', 'statefulset.input.yml'].map(
  (f) => readFileSync(join(FIXTURES, f), 'utf8'),
);

function inject(text: string, manual: boolean) {
  return runInject([{ name: 'fuzz.yml', text }], {
    manual,
    base,
    values: base,
    controlPlaneNamespace: 'linkerd',
    enableDebugSidecar: false,
    createdBy: 'linkerd/cli test',
    output: 'yaml',
    verbose: false,
    color: new Chalk({ level: 0 }),
  });
}

/** Either a clear failure with nothing on stdout, or output that parses and round-trips through uninject. */
function checkOutcome(text: string, manual: boolean): void {
  const out = inject(text, manual);
  if (out.exitCode !== 0) {
    assert.equal(out.stdout, '');
    assert.match(out.stderr, /^Error transforming resources:\n./);
    return;
  }
  for (const doc of parseAllDocuments(out.stdout)) assert.equal('errors' in doc ? doc.errors.length : 0, 0);
  const back = runUninject([{ name: 'x', text: out.stdout }], 'yaml');
  assert.equal(back.exitCode, 0);
}

const mutation = fc.record({
  seed: fc.integer({ min: 0, max: seeds.length - 1 }),
  at: fc.nat(),
  cut: fc.nat({ max: 40 }),
  insert: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(':', '- ', '\n  ', '{', '---\n', '#', '"', '\t', 'kind: Pod\n'),
  ),
  manual: fc.boolean(),
});

test('mutated manifests never crash inject: clear error or valid, uninjectable output', () => {
  fc.assert(
    fc.property(mutation, ({ seed, at, cut, insert, manual }) => {
      const src = seeds[seed]!;
      const pos = at % (src.length + 1);
      checkOutcome(src.slice(0, pos) + insert + src.slice(pos + cut), manual);
    }),
    { numRuns: 300, seed: 42 },
  );
});

test('random JSON-ish documents never crash inject', () => {
  const kinds = fc.constantFrom('Deployment', 'Pod', 'CronJob', 'List', 'Namespace', 'Service', 'Job', 'Foo');
  const doc = fc.record(
    { kind: kinds, metadata: fc.anything(), spec: fc.anything(), items: fc.anything() },
    { requiredKeys: ['kind'] },
  );
  fc.assert(
    fc.property(doc, fc.boolean(), (d, manual) => checkOutcome(JSON.stringify(d), manual)),
    { numRuns: 300, seed: 7 },
  );
});
