import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHelperDuration, parseProxyDuration } from '../../src/runtime/shared/data-plane-duration.js';

test('the proxy keeps the strict single-segment syntax the helpers relax', () => {
  for (const text of ['1m30s', '1.5s']) {
    assert.throws(() => parseProxyDuration(text), { message: 'invalid duration' }, text);
    assert.ok(parseHelperDuration(text) > 0, text);
  }
});

test('a bare number is zero or lacks its unit, in either syntax', () => {
  assert.equal(parseProxyDuration(' 00 '), 0);
  assert.equal(parseHelperDuration(' 00 '), 0);
  assert.throws(() => parseProxyDuration('7'), { message: 'a duration needs a unit (ms, s, m, h, d) unless it is 0' });
  assert.throws(() => parseHelperDuration('7'), /^DurationError: invalid duration "7": expected a number with a unit/);
});

test('helper durations round to whole milliseconds and stay safe integers', () => {
  assert.equal(parseHelperDuration('1.0004s'), 1000);
  assert.equal(parseHelperDuration('0.5ms'), 1);
  assert.throws(() => parseHelperDuration('99999999999999999999d'), { message: /is too large/ });
});
