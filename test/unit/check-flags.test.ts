import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateCheckFlags } from '../../src/checks/flags.js';
import { parseGoDuration } from '../../src/util/go-duration.js';

const base = { pre: false, crds: false, proxy: false, linkerdCniEnabled: false, output: 'table' };
const P = 'Validation error when executing check command: ';

test('flag validation messages', () => {
  assert.equal(validateCheckFlags(base), undefined);
  assert.equal(
    validateCheckFlags({ ...base, pre: true, proxy: true }),
    `${P}--pre and --proxy flags are mutually exclusive`,
  );
  assert.equal(
    validateCheckFlags({ ...base, pre: true, crds: true }),
    `${P}--pre and --crds flags are mutually exclusive`,
  );
  assert.equal(
    validateCheckFlags({ ...base, linkerdCniEnabled: true }),
    `${P}--linkerd-cni-enabled can only be used with --pre`,
  );
  assert.equal(validateCheckFlags({ ...base, pre: true, linkerdCniEnabled: true }), undefined);
  assert.equal(validateCheckFlags({ ...base, crds: true, proxy: true }), undefined, '--crds wins over --proxy');
  assert.equal(
    validateCheckFlags({ ...base, output: 'yaml' }),
    `${P}Invalid output type 'yaml'. Supported output types are: json, table, short`,
  );
});

test('Go durations', () => {
  assert.equal(parseGoDuration('5m0s'), 300_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('5'), { message: 'time: invalid duration "5"' });
  assert.throws(() => parseGoDuration('soon'), { message: 'time: invalid duration "soon"' });
  assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
});
