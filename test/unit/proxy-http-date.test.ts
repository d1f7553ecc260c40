import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { httpDate } from '../../src/runtime/proxy/admin/http-date.js';

test('httpDate formats IMF-fixdate like Date#toUTCString', () => {
  assert.equal(httpDate(Date.UTC(2026, 0, 5, 3, 4, 9)), 'Mon, 05 Jan 2026 03:04:09 GMT');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
      assert.equal(httpDate(ms), new Date(ms).toUTCString());
    }),
  );
});
