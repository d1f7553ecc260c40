import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeakEwma } from '../../src/runtime/proxy/balance/peak-ewma.js';
import { pickP2c } from '../../src/runtime/proxy/balance/p2c.js';
import { ConsecutiveFailures, backoffDelay } from '../../src/runtime/proxy/balance/failure-accrual.js';

test('peak-EWMA: starts at the default RTT, jumps to peaks, decays towards smaller samples', () => {
  const e = new PeakEwma({ defaultRttMs: 30, decayMs: 10_000 }, 0);
  assert.equal(e.rttEstimateMs, 30);
  e.observe(100, 0);
  assert.equal(e.rttEstimateMs, 100, 'a larger sample replaces the estimate');
  e.observe(10, 10_000);
  // w = e^-1: 100·w + 10·(1−w)
  const w = Math.exp(-1);
  assert.ok(Math.abs(e.rttEstimateMs - (100 * w + 10 * (1 - w))) < 1e-9);
  const idle = new PeakEwma({ defaultRttMs: 30, decayMs: 10_000 }, 0);
  assert.ok(Math.abs(idle.load(10_000) - 30e6 * Math.exp(-1)) < 1, 'reading decays the estimate');
  idle.pending = 3;
  assert.ok(Math.abs(idle.load(10_000) - 4 * 30e6 * Math.exp(-1)) < 1, 'cost = estimate × (pending + 1)');
});

test('P2C: two distinct candidates, the lower load wins, ties go to the first', () => {
  const loads = new Map([
    ['a', 5],
    ['b', 1],
    ['c', 9],
  ]);
  const seq =
    (...xs: number[]): (() => number) =>
    () =>
      xs.shift() ?? 0;
  // indices a=0, then b: floor(0.5·2)=1 → ≥0 → 2 (c): a vs c → a
  assert.equal(
    pickP2c(['a', 'b', 'c'], (x) => loads.get(x) ?? 0, seq(0, 0.5)),
    'a',
  );
  // a=1 (b), b=floor(0·2)=0 → a: b vs a → b (lower)
  assert.equal(
    pickP2c(['a', 'b', 'c'], (x) => loads.get(x) ?? 0, seq(0.4, 0)),
    'b',
  );
  assert.equal(
    pickP2c(['x', 'y'], () => 1, seq(0.9, 0)),
    'y',
    'tie → first pick',
  );
  assert.equal(
    pickP2c(['only'], () => 1),
    'only',
  );
  assert.equal(
    pickP2c([], () => 1),
    undefined,
  );
  // Never the same index twice: with 2 candidates both are always compared.
  for (let i = 0; i < 50; i++)
    assert.equal(
      pickP2c(['a', 'b'], (x) => loads.get(x) ?? 0),
      'b',
    );
});

test('P2C over peak-EWMA steers load away from a slow endpoint', () => {
  const fast = new PeakEwma({ defaultRttMs: 30, decayMs: 10_000 }, 0);
  const slow = new PeakEwma({ defaultRttMs: 30, decayMs: 10_000 }, 0);
  slow.observe(500, 0);
  fast.observe(5, 1);
  let fastPicks = 0;
  for (let i = 0; i < 200; i++) if (pickP2c([fast, slow], (e) => e.load(2)) === fast) fastPicks++;
  assert.equal(fastPicks, 200);
});

test('consecutive failures: open → shut after N failures → probation with one request → open/shut', () => {
  let now = 0;
  const b = new ConsecutiveFailures(
    { maxFailures: 3, backoff: { minMs: 1000, maxMs: 60_000, jitter: 0 } },
    () => now,
    () => 0,
  );
  assert.equal(b.state, 'open');
  b.record(false);
  b.record(false);
  b.record(true);
  b.record(false);
  b.record(false);
  assert.equal(b.state, 'open', 'a success resets the count');
  b.record(false);
  assert.equal(b.state, 'shut');
  assert.equal(b.isReady(), false);
  b.record(true);
  assert.equal(b.state, 'shut', 'responses while shut are ignored');
  now = 1000;
  assert.equal(b.state, 'probation');
  assert.equal(b.tryAcquire(), true);
  assert.equal(b.tryAcquire(), false, 'exactly one probe');
  b.record(false);
  assert.equal(b.state, 'shut');
  now = 2999;
  assert.equal(b.state, 'shut', 'the second backoff doubles');
  now = 3000;
  assert.equal(b.tryAcquire(), true);
  b.record(true);
  assert.equal(b.state, 'open');
});

test('backoff: min·2^n capped at max, plus jitter within [0, base·jitter] never above max', () => {
  const p = { minMs: 1000, maxMs: 60_000, jitter: 0.5 };
  assert.equal(
    backoffDelay(p, 0, () => 0),
    1000,
  );
  assert.equal(
    backoffDelay(p, 3, () => 0),
    8000,
  );
  assert.equal(
    backoffDelay(p, 3, () => 1),
    12_000,
  );
  assert.equal(
    backoffDelay(p, 10, () => 1),
    60_000,
  );
});
