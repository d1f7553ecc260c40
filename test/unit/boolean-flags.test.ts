import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeBooleanAssignments } from '../../src/cli/boolean-flags.js';

const flags = {
  manual: { type: 'boolean', default: false },
  'enable-endpoint-slices': { type: 'boolean', default: true, allowNo: true },
  'proxy-log-level': { type: 'option' },
};

test('cobra-style boolean assignments become oclif flags', () => {
  assert.deepEqual(normalizeBooleanAssignments(['--manual=true', 'x.yml'], flags), ['--manual', 'x.yml']);
  assert.deepEqual(normalizeBooleanAssignments(['--manual=false'], flags), []);
  assert.deepEqual(normalizeBooleanAssignments(['--enable-endpoint-slices=false'], flags), [
    '--no-enable-endpoint-slices',
  ]);
});

test('non-boolean flags, unknown flags and arguments after -- are left alone', () => {
  assert.deepEqual(
    normalizeBooleanAssignments(['--proxy-log-level=false', '--other=true', '--', '--manual=true'], flags),
    ['--proxy-log-level=false', '--other=true', '--', '--manual=true'],
  );
});

test('a default-true flag without a negation cannot be turned off silently', () => {
  assert.throws(
    () => normalizeBooleanAssignments(['--x=false'], { x: { type: 'boolean', default: true } }),
    /flag --x cannot be set to false/,
  );
});
