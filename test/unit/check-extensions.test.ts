import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  execChild,
  extensionCheckFlags,
  extensionResults,
  findExtensionExecutables,
  planExtensions,
  type Exec,
} from '../../src/checks/extensions.js';
import { renderTable } from '../../src/checks/views/table.js';
import { assertGolden } from '../support/golden.js';

const HINT = 'https://linkerd.io/2/checks/#';
const defaults = {
  apiAddr: '',
  context: '',
  as: '',
  asGroups: [],
  kubeconfig: '',
  linkerdNamespace: 'linkerd',
  verbose: false,
  namespace: '',
  proxy: false,
  wait: '5m0s',
};

test('forwarded flags follow upstream order and spelling', () => {
  assert.deepEqual(extensionCheckFlags(defaults), [
    '--as-group=[]',
    '--linkerd-namespace=linkerd',
    '--verbose=false',
    '--proxy=false',
    '--wait=5m0s',
  ]);
  assert.deepEqual(
    extensionCheckFlags({ ...defaults, as: 'bob', asGroups: ['g1', 'g2'], kubeconfig: '/k', proxy: true }),
    [
      '--as=bob',
      '--as-group=[g1,g2]',
      '--kubeconfig=/k',
      '--linkerd-namespace=linkerd',
      '--verbose=false',
      '--proxy=true',
      '--wait=5m0s',
    ],
  );
});

test('selection: always-extensions, installed ones, built-ins, then missing; sorted as upstream', async () => {
  const exec: Exec = async (cmd) => ({
    stdout: cmd.endsWith('linkerd-always') ? '{"name":"linkerd-always","checks":"always"}' : 'nope',
    stderr: '',
  });
  const targets = await planExtensions({
    installed: ['viz', 'foo', 'multicluster', 'ghost', 'foo'],
    executables: new Map([
      ['foo', '/bin/linkerd-foo'],
      ['always', '/bin/linkerd-always'],
      ['unused', '/bin/linkerd-unused'],
    ]),
    self: { command: 'node', prefix: ['run.js'], label: 'l5d' },
    flags: ['--wait=5m0s'],
    exec,
  });
  assert.deepEqual(
    targets.map((t) => (t.kind === 'missing' ? `missing ${t.name}` : [t.command, ...t.args].join(' '))),
    [
      'node run.js multicluster check --wait=5m0s --output=json',
      'node run.js viz check --wait=5m0s --output=json',
      '/bin/linkerd-always check --wait=5m0s --output=json',
      '/bin/linkerd-foo check --wait=5m0s --output=json',
      'missing ghost',
    ],
  );
});

test('extension output becomes results; bad output and missing executables have upstream texts', () => {
  const run = {
    kind: 'run' as const,
    label: 'linkerd-foo',
    command: '/bin/linkerd-foo',
    args: ['check', '--output=json'],
  };
  const good = extensionResults(
    run,
    {
      stdout: JSON.stringify({
        success: false,
        categories: [
          {
            categoryName: 'linkerd-foo',
            checks: [
              { description: 'ok', result: 'success' },
              { description: 'meh', hint: `${HINT}foo`, error: 'slow', result: 'warning' },
              { description: 'bad', hint: `${HINT}foo`, error: 'broken', result: 'error' },
              { description: 'no text', result: 'error' },
            ],
          },
        ],
      }),
      stderr: '',
    },
    HINT,
  );
  const invalid = extensionResults(run, { stdout: 'not json', stderr: '' }, HINT);
  const crashed = extensionResults(run, { stdout: '', stderr: 'segfault\n' }, HINT);
  const missing = extensionResults({ kind: 'missing', name: 'ghost' }, undefined, HINT);
  assertGolden(
    'check/extensions.golden',
    renderTable([...good, ...invalid, ...crashed, ...missing], { short: false, color: false }),
  );
  assert.equal(missing[0]?.warning, true);
  assert.equal(good[3]?.error, undefined, 'result error without text counts as success');
});

test('PATH discovery: executables only, first directory wins; children run for real', async () => {
  const a = mkdtempSync(join(tmpdir(), 'l5d-ext-a-'));
  const b = mkdtempSync(join(tmpdir(), 'l5d-ext-b-'));
  try {
    const script = (dir: string, name: string, body: string, mode = 0o755) => {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, name), mode);
    };
    script(a, 'linkerd-foo', 'echo "$@"');
    script(b, 'linkerd-foo', 'echo shadowed');
    script(b, 'linkerd-bar', 'echo bar');
    script(a, 'linkerd-noexec', 'echo no', 0o644);
    script(a, 'other', 'echo other');
    const found = await findExtensionExecutables([a, '/nonexistent', b].join(':'));
    assert.deepEqual(Object.fromEntries(found), { foo: join(a, 'linkerd-foo'), bar: join(b, 'linkerd-bar') });
    assert.deepEqual(await execChild(join(a, 'linkerd-foo'), ['check', '--output=json']), {
      stdout: 'check --output=json\n',
      stderr: '',
    });
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});
