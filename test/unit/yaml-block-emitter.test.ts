import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'yaml';
import { blockAfterKey, blockEntries, blockItems, type BlockLayout } from '../../src/manifests/yaml/block-yaml.js';
import { toYaml, toYamlWithLibrary } from '../../src/manifests/yaml/emit.js';

const LAYOUTS: BlockLayout[] = [
  { indent: 2, indentSeq: false },
  { indent: 2, indentSeq: true },
  { indent: 4, indentSeq: true },
  { indent: 3, indentSeq: false },
];

/** Strings that stress quoting: YAML 1.1/1.2 keywords, numbers, indicators, whitespace, newlines. */
const tricky = fc.constantFrom(
  'yes',
  'No',
  'on',
  'OFF',
  'y',
  'n',
  'true',
  'False',
  'null',
  '~',
  '',
  '0755',
  '0o17',
  '0x1F',
  '0b101',
  '1_000',
  '1:20',
  '190:20:30.15',
  '2001-12-14',
  '2001-12-14t21:59:43.10-05:00',
  '3e5',
  '.5',
  '1.',
  '.inf',
  '-.Inf',
  '.NaN',
  'NaN',
  '+1',
  '-',
  '?',
  '- a',
  '? a',
  'a: b',
  'a:b',
  'a #b',
  '#x',
  'x ',
  ' x',
  '\tx',
  'a\tb',
  '@x',
  '`x',
  '!x',
  '*x',
  '&x',
  '|',
  '>',
  "it's",
  'say "hi"',
  `both ' "`,
  '"',
  "'",
  'x,y',
  '[a]',
  '{}',
  '<<',
  '=',
  '%x',
  '---x',
  '...',
  'a\n',
  'a\n\n',
  '\nabc',
  ' lead\nz',
  'x\ny',
  'a\n ',
  'a \nb',
  'a\n\n\nb\n',
  'line\n  indented\n',
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  'a\r\nb',
  'bell\u0007',
  '\u2028',
  'é ü',
  '{"ns":"$(_pod_ns)"}\n',
  'linkerd.io/inject',
  '100m',
  '128Mi',
  'cr.l5d.io/linkerd/proxy:edge-1.2.3',
);
const text = fc.oneof(tricky, fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const scalar = fc.oneof(text, fc.integer(), fc.double({ noDefaultInfinity: false }), fc.boolean(), fc.constant(null));
const key = fc.oneof(text, fc.constantFrom('name', 'image', 'ports', 'a', 'b'));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('map'), tie('list')),
  map: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  list: fc.array(tie('value'), { maxLength: 4 }),
}));
const map = fc.dictionary(key, value, { maxKeys: 5 });

/** Where l5d deliberately differs from the `yaml` package (see block-yaml.ts). */
function deliberateDifference(v: unknown): boolean {
  if (typeof v === 'string') return /^0o[0-7]+$/.test(v) || (v.includes('\n') && /^[ \n]* /.test(v));
  if (Array.isArray(v)) return v.some(deliberateDifference);
  if (typeof v === 'object' && v !== null)
    return Object.entries(v).some(([k, x]) => deliberateDifference(k) || deliberateDifference(x));
  return false;
}

/** The value as plain objects without undefined entries (what a YAML parser hands back). */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : plain(x)));
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, plain(x)]),
  );
}

function assertReadsBack(out: string, value: unknown): void {
  const expected = plain(value);
  for (const version of ['1.1', '1.2'] as const) {
    assert.deepEqual(parse(out, { version, maxAliasCount: -1 }), expected, `YAML ${version}:\n${out}`);
  }
}

test('block emitter writes what the yaml package writes, or declines', () => {
  fc.assert(
    fc.property(map, fc.constantFrom(...LAYOUTS), (m, layout) => {
      const out = blockEntries(m, 0, layout);
      if (out === undefined) return;
      if (!deliberateDifference(m)) assert.equal(out, Object.keys(m).length === 0 ? '' : toYamlWithLibrary(m, layout));
    }),
    { numRuns: 1500, seed: 11 },
  );
});

test('block emitter output reads back as the same value under YAML 1.1 and 1.2', () => {
  fc.assert(
    fc.property(map, fc.constantFrom(...LAYOUTS), (m, layout) => {
      fc.pre(Object.keys(m).length > 0);
      const out = blockEntries(m, 0, layout);
      if (out !== undefined) assertReadsBack(out, m);
    }),
    { numRuns: 1500, seed: 12 },
  );
});

test('nested lists and values after a key keep their column', () => {
  const layout = { indent: 4, indentSeq: true };
  const items = [{ name: 'a', args: ['x', '0o17'] }, ' lead\nz', [], {}];
  assert.equal(
    blockItems(items, 0, layout),
    toYamlWithLibrary(items, layout)
      .replace('0o17', '"0o17"')
      .replace('|2-\n       lead', '|2-\n   lead')
      .replace('      z', '  z'),
  );
  const nested = blockAfterKey({ b: [1, 'yes'] }, 6, layout);
  assert.equal(nested, '\n          b:\n              - 1\n              - "yes"');
  assertReadsBack(`k:${blockAfterKey(' lead\nz', 0, layout)!}\n`, { k: ' lead\nz' });
});

test('values the emitter cannot write are declined, not mangled', () => {
  const layout = { indent: 2, indentSeq: false };
  assert.equal(blockEntries({ k: 'bell\u0007' }, 0, layout), undefined);
  assert.equal(blockEntries({ 'multi\nline': 1 }, 0, layout), undefined);
  assert.equal(blockEntries({ k: new Date(0) }, 0, layout), undefined);
  assert.equal(blockEntries({ k: 'trailing\n  ' }, 0, layout), undefined);
});

test('toYaml writes through the emitter and falls back to the yaml package for the rest', () => {
  const layout = { indent: 2, indentSeq: true };
  assert.equal(toYaml({ mode: '0o17', list: ['a'] }), 'mode: "0o17"\nlist:\n  - a\n');
  for (const value of [{ k: 'bell\u0007' }, 'scalar', {}, [], { d: new Date(0) }, null]) {
    assert.equal(toYaml(value), toYamlWithLibrary(value, layout));
  }
});
