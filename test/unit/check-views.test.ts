import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorFor } from '../../src/cli/color.js';
import type { CheckResult } from '../../src/checks/model.js';
import { exitCodeFor, renderRun } from '../../src/checks/render-run.js';
import { renderJson } from '../../src/checks/views/json.js';
import { renderTable, TableRenderer } from '../../src/checks/views/table.js';
import { assertGolden } from '../support/golden.js';

const ok = (category: string, description: string): CheckResult => ({
  category,
  description,
  warning: false,
  retry: false,
});
const bad = (category: string, description: string, error: string, anchor: string, warning = false): CheckResult => ({
  category,
  description,
  error,
  hintUrl: `https://linkerd.io/2/checks/#${anchor}`,
  warning,
  retry: false,
});
const retry = (category: string, description: string): CheckResult => ({
  category,
  description,
  error: 'waiting for check to complete',
  warning: false,
  retry: true,
});

/** Upstream's own fixture (cli/cmd/testdata/check_output*.golden). */
const UPSTREAM_FIXTURE = [
  ok('category', 'check1'),
  bad('category', 'check2', 'This should contain instructions for fail', 'hint-anchor'),
];

const MIXED = [
  ok('kubernetes-api', 'can initialize the client'),
  ok('kubernetes-api', 'can query the Kubernetes API'),
  retry('linkerd-crd', 'control plane CustomResourceDefinitions exist'),
  ok('linkerd-crd', 'control plane CustomResourceDefinitions exist'),
  ok('pre-kubernetes-setup', 'control plane namespace does not already exist'),
  bad(
    'pre-kubernetes-setup',
    'can create non-namespaced resources',
    'cannot create Namespace/linkerd: forbidden\n    cannot create ClusterRole/linkerd-linkerd-identity: forbidden',
    'pre-k8s-cluster-k8s',
  ),
  bad(
    'pre-kubernetes-setup',
    'no clock skew detected',
    'clock skew detected for node(s): n1',
    'pre-k8s-clock-skew',
    true,
  ),
  ok('linkerd-version', 'can determine the latest version'),
  bad(
    'linkerd-version',
    'cli is up-to-date',
    'is running version 26.11.1 but the latest edge version is 26.12.1',
    'l5d-version-cli',
    true,
  ),
];

const WARN_ONLY = [ok('a', 'fine'), bad('a', 'so-so', 'meh', 'x', true), ok('b', 'fine too')];

function tableWithoutStatus(results: CheckResult[]): string {
  const r = new TableRenderer({ short: false, color: false });
  return results.map((x) => r.push(x).text).join('') + r.finish();
}

test('table rendering of upstream fixture matches its golden', () => {
  assertGolden('check/upstream-output.golden', tableWithoutStatus(UPSTREAM_FIXTURE));
});

test('json rendering of upstream fixture matches its golden', () => {
  assertGolden('check/upstream-output-json.golden', renderJson(UPSTREAM_FIXTURE));
});

test('table, short and json views of a mixed run', () => {
  assertGolden('check/mixed-table.golden', renderTable(MIXED, { short: false, color: false }));
  assertGolden('check/mixed-short.golden', renderTable(MIXED, { short: true, color: false }));
  assertGolden('check/mixed.json.golden', renderJson(MIXED));
  assertGolden('check/warn-only-short.golden', renderTable(WARN_ONLY, { short: true, color: false }));
});

test('a healthy short run prints only the status line', () => {
  assert.equal(
    renderTable([ok('a', 'x'), ok('b', 'y')], { short: true, color: false }),
    'Status check results are √\n',
  );
});

test('json is one document: no retries, null categories for an empty run, success reflects errors only', () => {
  const doc = JSON.parse(renderJson(MIXED)) as {
    success: boolean;
    categories: { categoryName: string; checks: { result: string }[] }[];
  };
  assert.equal(doc.success, false);
  assert.deepEqual(
    doc.categories.map((c) => c.categoryName),
    ['kubernetes-api', 'linkerd-crd', 'pre-kubernetes-setup', 'linkerd-version'],
  );
  assert.equal(doc.categories[1]?.checks.length, 1, 'retry results are not emitted');
  assert.deepEqual(JSON.parse(renderJson([])), { success: true, categories: null });
  assert.equal(JSON.parse(renderJson(WARN_ONLY)).success, true);
});

test('colour: TTY gets upstream escapes on glyphs and status; NO_COLOR and pipes get none', () => {
  const coloured = renderTable(MIXED, { short: false, color: colorFor({ isTTY: true }, {}).level > 0 });
  assert.ok(coloured.includes('\x1b[32;1m√\x1b[0;22m can initialize the client'));
  assert.ok(coloured.includes('\x1b[33;1m‼\x1b[0;22m no clock skew detected'));
  assert.ok(coloured.includes('\x1b[31;1m×\x1b[0;22m can create non-namespaced resources'));
  assert.ok(coloured.endsWith('Status check results are \x1b[31;1m×\x1b[0;22m\n'));
  for (const color of [colorFor({ isTTY: true }, { NO_COLOR: '1' }), colorFor({ isTTY: false }, {})]) {
    const plain = renderTable(MIXED, { short: false, color: color.level > 0 });
    assert.equal(plain.includes('\x1b'), false);
  }
});

async function* stream(results: CheckResult[]): AsyncGenerator<AsyncGenerator<CheckResult>> {
  yield (async function* () {
    yield* results;
  })();
}

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (t: string) => chunks.push(t) };
}

test('renderRun streams the table, keeps the spinner off stdout and off non-TTY stderr', async () => {
  for (const tty of [true, false]) {
    const stdout = sink(false);
    const stderr = sink(tty);
    const summary = await renderRun(stream(MIXED), 'table', { stdout, stderr, color: false });
    assert.equal(stdout.chunks.join(''), renderTable(MIXED, { short: false, color: false }));
    assert.equal(stdout.chunks.join('').includes('waiting for check'), false);
    assert.equal(stderr.chunks.join('').includes('waiting for check to complete'), tty);
    assert.deepEqual(summary, { success: false, warning: true });
  }
});

test('renderRun json writes exactly one parseable document', async () => {
  const stdout = sink(false);
  await renderRun(stream(MIXED), 'json', { stdout, stderr: sink(false), color: false });
  assert.equal(stdout.chunks.length, 1);
  assert.equal(JSON.parse(stdout.chunks[0] ?? '').success, false);
});

test('exit codes: errors fail; warnings fail only with --fail-on-warnings', () => {
  assert.equal(exitCodeFor({ success: true, warning: false }, true), 0);
  assert.equal(exitCodeFor({ success: true, warning: true }, false), 0);
  assert.equal(exitCodeFor({ success: true, warning: true }, true), 1);
  assert.equal(exitCodeFor({ success: false, warning: false }, false), 1);
});
