import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Chalk } from 'chalk';
import { parseAllDocuments, stringify } from 'yaml';
import { InputError } from '../../src/manifests/inject/documents.js';
import { manifestText } from '../../src/manifests/inject/input.js';
import { runInject } from '../../src/manifests/inject/pipeline.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';

// inject as the command runs it, from the input's bytes: decoding, parsing, shape checks, injection.
const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'inject');
const SOURCE = 'fuzz.yml';
const base = defaultValues('test');
base.identityTrustAnchorsPEM = readFileSync(
  join(process.cwd(), 'test', 'fixtures', 'certs', 'trust-anchors.pem'),
  'utf8',
);
const seeds = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.input.yml'))
  .sort()
  .map((f) => readFileSync(join(FIXTURES, f)));

function inject(bytes: Uint8Array, manual: boolean): { exitCode: number; stdout: string; stderr: string } {
  try {
    return runInject([{ name: SOURCE, text: manifestText(bytes, SOURCE) }], {
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
  } catch (err) {
    // What BaseCommand prints for an error the pipeline throws.
    if (err instanceof InputError) return { exitCode: 1, stdout: '', stderr: `Error: ${err.message}\n` };
    throw err;
  }
}

const INTERNAL =
  /TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|is not iterable|\n\s+at \S+ \(|\[object Object\]/;

// Linkerd's own refusals name the object, in upstream's words (inject.md §4); all else names the source.
const NAMED = new RegExp(`${SOURCE}:\\d+|failed to inject \\S+/|--manual must be set when injecting control plane`);

/** Valid YAML out, or exit 1 with nothing on stdout and a message naming the source (or Linkerd's refusal). */
function checkOutcome(bytes: Uint8Array, manual: boolean): void {
  const out = inject(bytes, manual);
  assert.doesNotMatch(out.stderr, INTERNAL);
  if (out.exitCode === 0) {
    // Bytes that are not UTF-8 are refused, never rewritten as U+FFFD.
    if (!Buffer.from(bytes).includes(Buffer.from('\ufffd'))) assert.equal(out.stdout.includes('\ufffd'), false);
    for (const doc of parseAllDocuments(out.stdout)) {
      assert.equal('errors' in doc ? doc.errors.length : 0, 0, out.stdout);
    }
    return;
  }
  assert.equal(out.exitCode, 1);
  assert.equal(out.stdout, '');
  assert.match(out.stderr, NAMED, out.stderr);
}

const seed = fc.integer({ min: 0, max: seeds.length - 1 });

const byteMutation = fc.record({
  seed,
  at: fc.nat(),
  cut: fc.nat({ max: 8 }),
  bytes: fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 6 }),
    fc.constantFrom(
      Uint8Array.of(0xff),
      Uint8Array.of(0xc3),
      Uint8Array.of(0xe2, 0x82),
      Uint8Array.of(0x00),
      Uint8Array.of(0x1b, 0x5b, 0x33, 0x31, 0x6d),
      Uint8Array.of(0xed, 0xa0, 0x80),
    ),
  ),
  manual: fc.boolean(),
});

const lineMutation = fc.record({
  seed,
  op: fc.constantFrom('delete', 'duplicate', 'swap', 'indent', 'dedent'),
  at: fc.nat(),
  manual: fc.boolean(),
});

// Values a wrongly typed field may hold.
const junk = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.constant([null]),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxKeys: 3 }),
);

const structureMutation = fc.record({ seed, pick: fc.nat(), value: junk, json: fc.boolean(), manual: fc.boolean() });

/** Every path to a value inside `root`, depth first. */
function paths(root: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(root)) root.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (root && typeof root === 'object') {
    for (const [k, v] of Object.entries(root)) out.push(...paths(v, [...at, k]));
  }
  return out;
}

function replaced(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<string | number, unknown>;
  copy[head] = replaced(copy[head], rest, value);
  return copy;
}

test('mutated manifests: valid YAML out, or exit 1 naming the source; never an internal error', () => {
  const deadline = Date.now() + 50_000;
  const budget = { interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false } as const;
  fc.assert(
    fc.property(byteMutation, ({ seed: s, at, cut, bytes, manual }) => {
      const src = seeds[s]!;
      const pos = at % (src.length + 1);
      checkOutcome(Buffer.concat([src.subarray(0, pos), bytes, src.subarray(pos + cut)]), manual);
    }),
    { numRuns: 1500, seed: 11, ...budget },
  );
  fc.assert(
    fc.property(lineMutation, ({ seed: s, op, at, manual }) => {
      const lines = seeds[s]!.toString('utf8').split('\n');
      const i = at % lines.length;
      const line = lines[i]!;
      if (op === 'delete') lines.splice(i, 1);
      else if (op === 'duplicate') lines.splice(i, 0, line);
      else if (op === 'swap' && i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1]!, line];
      else if (op === 'indent') lines[i] = `  ${line}`;
      else lines[i] = line.replace(/^ {1,2}/, '');
      checkOutcome(Buffer.from(lines.join('\n')), manual);
    }),
    { numRuns: 1500, seed: 12, ...budget },
  );
  fc.assert(
    fc.property(structureMutation, ({ seed: s, pick, value, json, manual }) => {
      const docs = parseAllDocuments(seeds[s]!.toString('utf8')).map((d) => d.toJS() as unknown);
      const all = docs.flatMap((d, i) => paths(d, [i]));
      const path = all[pick % all.length]!;
      const mutated = replaced(docs, path, value) as unknown[];
      const text = json
        ? mutated.map((d) => JSON.stringify(d)).join('\n---\n')
        : mutated.map((d) => stringify(d)).join('---\n');
      checkOutcome(Buffer.from(text), manual);
    }),
    { numRuns: 3000, seed: 13, ...budget },
  );
  assert.ok(Date.now() < deadline + 10_000);
});
