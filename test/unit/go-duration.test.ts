import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, goDurationNanos, parseGoDuration } from '../../src/util/go-duration.js';

test('Go durations: every unit, signs, decimals and the bare zero', () => {
  assert.equal(goDurationNanos('1ns'), 1);
  assert.equal(goDurationNanos('1us'), 1e3);
  assert.equal(goDurationNanos('1\u00b5s'), 1e3);
  assert.equal(goDurationNanos('1\u03bcs'), 1e3);
  assert.equal(goDurationNanos('6s5ms'), 6_005_000_000);
  assert.equal(goDurationNanos('.5s'), 500_000_000);
  assert.equal(goDurationNanos('1.s'), 1e9);
  assert.equal(goDurationNanos('+1m'), 60e9);
  assert.equal(goDurationNanos('-1m30s'), -90e9);
  assert.equal(goDurationNanos('-0'), 0);
  assert.equal(goDurationNanos(' 10s '), 10e9);
});

test('Go durations: decimals are exact, as Go computes them in integer nanoseconds', () => {
  assert.equal(parseGoDuration('2.3h'), 8_280_000);
  assert.equal(parseGoDuration('1.005s'), 1005);
  assert.equal(formatGoDuration(parseGoDuration('2.3h')), '2h18m0s');
  assert.equal(goDurationNanos('1.5ns'), 1, 'fractions of a nanosecond are truncated');
});

test('Go durations: malformed text', () => {
  for (const bad of ['', '-', '10', 's', '.s', '1x', '1s2', '1 s', '--1s', '1e3ms', '1d']) {
    assert.equal(goDurationNanos(bad), undefined, bad);
  }
  assert.throws(() => parseGoDuration(' 1d '), { message: 'time: invalid duration " 1d "' });
});

test('Go duration strings', () => {
  assert.equal(formatGoDuration(0), '0s');
  assert.equal(formatGoDuration(250), '250ms');
  assert.equal(formatGoDuration(1500), '1.5s');
  assert.equal(formatGoDuration(3_600_000), '1h0m0s');
  assert.equal(formatGoDuration(-61_000), '-1m1s');
});
