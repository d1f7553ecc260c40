import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { splitStream } from '../../src/manifests/inject/documents.js';
import { parseSimpleYaml } from '../../src/manifests/inject/simple-yaml.js';
import { toYaml } from '../../src/manifests/yaml/emit.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'inject');

/** Everything the in-place editor looks at: node kinds, source ranges, flow style, keys and values. */
function shape(node: unknown): unknown {
  if (isMap(node))
    return { map: node.range, flow: Boolean(node.flow), items: node.items.map((p) => [shape(p.key), shape(p.value)]) };
  if (isSeq(node)) return { seq: node.range, flow: Boolean(node.flow), items: node.items.map(shape) };
  if (isScalar(node)) return { scalar: node.range, value: node.value };
  return { other: node };
}

/** When the fast reader takes a document, it must see exactly what the `yaml` package sees. */
function checkAgainstYaml(text: string): boolean {
  const simple = parseSimpleYaml(text);
  if (simple === undefined) return false;
  const doc = parseDocument(text, { version: '1.1', merge: true, keepSourceTokens: false });
  assert.deepEqual(doc.errors, [], `accepted a document yaml rejects:\n${text}`);
  assert.deepEqual(shape(simple.root), shape(doc.contents as Node), text);
  assert.deepEqual(simple.value, doc.toJS(), text);
  return true;
}

function documentsOf(text: string): string[] {
  return splitStream({ name: 'x', text }).flatMap((s) => (s.kind === 'document' ? [s.doc.text] : []));
}

const GOLDENS = join(process.cwd(), 'test', 'golden', 'files', 'inject');
const seeds = [
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(FIXTURES, f)),
  // Injected output: literal blocks (trust anchors, JSON env values), long lists.
  ...readdirSync(GOLDENS)
    .filter((f) => f.endsWith('.golden.out'))
    .map((f) => join(GOLDENS, f)),
].flatMap((file) => documentsOf(readFileSync(file, 'utf8')));

test('every fixture and injected golden document reads the same as with yaml, and most take the fast path', () => {
  const accepted = seeds.filter(checkAgainstYaml).length;
  assert.ok(accepted >= seeds.length * 0.7, `only ${accepted} of ${seeds.length} fixture documents were simple`);
});

test('comments, blank lines, quoting and trailing spaces keep yaml’s ranges', () => {
  const cases = [
    '# top\na: 1   # c1\n# between\nb:\n  c: x\n  # inner\n\n  d:\n  - p\n  - q: 1\n    r: "s"  \n\n# tail\ne: []\n# end\n',
    'a:\n  b: 1\n# col 0 before a root key\nc: 2\n',
    "l:\n- a: 1\n  b:\n  - 2\n- 'it''s'\n- -c\n- --port=80\n- http://x:80/y\n",
    'k: {}   # c\n"q k": "v" \nz:   x  \nnil: ~\nt: yes\nf: Off\ni: -12\nd: 1.50\ns: "0755"\nlast: 1',
    'a:\n    deep: 1\nb:\n  - x\n  -   spaced\n',
    'a: |\n  x\n  y\nb: |-\n    p\n\n    q\n\nc:\n- |\n  pem\n  end\n- z\nd: |+\n  k\n\n\ne: 1\n',
    'env:\n  - name: X\n    value: |\n      {"ns":"$(_pod_ns)"}\n# after\nnext: 1\n',
  ];
  for (const text of cases) assert.ok(checkAgainstYaml(text), text);
});

test('what it does not handle is left to yaml', () => {
  const declined = [
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: [1, 2]\n',
    'a: >\n  folded\n',
    'a: |2\n   text\n',
    'a: |\n  no final newline',
    'a: multi\n  line\n',
    'a: "esc\\n"\n',
    'a:\tb\n',
    'a: 0755\n',
    'a: 2001-12-14\n',
    'a: 1:20\n',
    'a: 1\na: 2\n',
    '<<: {}\n',
    'a:\n  b: 1\n    # deeper comment\nc: 1\n',
    '- a\n',
    'a: b: c\n',
    'a:\n',
    '? a\n: b\n',
  ];
  for (const text of declined) assert.equal(parseSimpleYaml(text), undefined, text);
});

const LAYOUTS = [
  { indent: 2, indentSeq: false },
  { indent: 2, indentSeq: true },
  { indent: 4, indentSeq: true },
];
const word = fc.oneof(
  fc.constantFrom('name', 'app', 'web', 'yes', 'null', '~', '1.5', '007', '8080', '-c', 'a b', 'x: y', 'q"', "'", '#'),
  fc.constantFrom(
    'pem\nline\n',
    'a\n\nb',
    'keep\n\n\n',
    ' lead\nz',
    '# not\na comment\n',
    '{"ns":"x"}\n',
    'x\n  deeper\n',
  ),
  fc.string({ maxLength: 8 }),
);
const key = fc.oneof(fc.constantFrom('name', 'image', 'ports', 'env', 'value', 'a b', 'x.io/y'), word);
const multiline = fc.constantFrom(
  'pem\nline\n',
  'a\n\nb',
  'keep\n\n\n',
  ' lead\nz',
  '# not\na comment\n',
  'x\n  deeper\n',
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    word,
    multiline,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    tie('map'),
    tie('list'),
  ),
  map: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  list: fc.array(tie('value'), { maxLength: 3 }),
}));
const decoration = fc.array(
  fc.record({
    line: fc.nat(),
    text: fc.constantFrom('', '# note', '  # note', '    # note', '      # note', '        # note', '   '),
    trailing: fc.constantFrom('', '  ', ' # c', '#c'),
  }),
  { maxLength: 4 },
);

test('generated manifests with comments and blank lines: fast path agrees with yaml or declines', () => {
  let accepted = 0;
  fc.assert(
    fc.property(
      fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }),
      fc.constantFrom(...LAYOUTS),
      decoration,
      (doc, layout, extras) => {
        const lines = toYaml(doc, layout).split('\n');
        for (const { line, text, trailing } of extras) {
          const at = line % lines.length;
          if (trailing && lines[at] !== '') lines[at] += trailing;
          lines.splice(at, 0, text);
        }
        if (checkAgainstYaml(lines.join('\n'))) accepted++;
      },
    ),
    { numRuns: 1000, seed: 5 },
  );
  assert.ok(accepted > 60, `fast path taken only ${accepted} times`);
});

test('mutated fixtures: fast path agrees with yaml or declines', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.nat(),
      fc.nat({ max: 6 }),
      fc.constantFrom(
        ' ',
        '  ',
        '\n',
        ':',
        ': ',
        '- ',
        '#',
        ' #',
        '"',
        "'",
        'x',
        '{}',
        '[]',
        '\n  ',
        '\n- ',
        '\n#',
        '\n  # c',
        '\n      #',
      ),
      (seed, at, cut, insert) => {
        const src = seeds[seed]!;
        const pos = at % (src.length + 1);
        checkAgainstYaml(src.slice(0, pos) + insert + src.slice(pos + cut));
      },
    ),
    { numRuns: 1500, seed: 9 },
  );
});
