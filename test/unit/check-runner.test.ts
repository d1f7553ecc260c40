import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../../src/checks/clock.js';
import { SkipCheck, type Category, type CheckResult, type CheckSpec } from '../../src/checks/model.js';
import { runChecks, WAITING_MESSAGE, type RunnerOptions } from '../../src/checks/runner.js';

/** Virtual time: sleeps only end when the test advances the clock. */
class FakeClock implements Clock {
  private t = 0;
  private readonly timers = new Set<{ at: number; resolve: () => void }>();

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = { at: this.t + ms, resolve };
      this.timers.add(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers.delete(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Jumps to the earliest pending timer and fires every timer due by then. */
  advanceToNext(): boolean {
    if (this.timers.size === 0) return false;
    this.t = Math.min(...[...this.timers].map((x) => x.at));
    for (const timer of [...this.timers]) {
      if (timer.at <= this.t) {
        this.timers.delete(timer);
        timer.resolve();
      }
    }
    return true;
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** Collects all results, advancing virtual time whenever the run is idle. */
async function collect(categories: Category[], clock: FakeClock, extra: Partial<RunnerOptions> = {}) {
  const results: CheckResult[] = [];
  let done = false;
  const consumer = (async () => {
    for await (const r of runChecks(categories, { clock, waitMs: 60_000, hintBase: 'https://h/#', ...extra })) {
      results.push(r);
    }
    done = true;
  })();
  while (!done) {
    await settle();
    if (!done && !clock.advanceToNext()) await settle();
  }
  await consumer;
  return results;
}

const pass = (description: string, extra: Partial<CheckSpec> = {}): CheckSpec => ({
  description,
  hintAnchor: description,
  run: async () => undefined,
  ...extra,
});
const fail = (description: string, message: string, extra: Partial<CheckSpec> = {}): CheckSpec => ({
  description,
  hintAnchor: `anchor-${description}`,
  run: async () => {
    throw new Error(message);
  },
  ...extra,
});
const brief = (r: CheckResult) =>
  `${r.retry ? 'retry ' : ''}${r.category}/${r.description}${r.error ? `: ${r.error}` : ''}`;

test('results come in declaration order even when later checks finish first, and checks run concurrently', async () => {
  const clock = new FakeClock();
  const started: string[] = [];
  const finished: string[] = [];
  const gates = new Map<string, () => void>();
  const gated = (d: string): CheckSpec => ({
    description: d,
    hintAnchor: d,
    run: async () => {
      started.push(d);
      await new Promise<void>((r) => gates.set(d, r));
      finished.push(d);
    },
  });
  const results: CheckResult[] = [];
  const consumer = (async () => {
    const categories = [
      { id: 'a', checks: [gated('a1'), gated('a2')] },
      { id: 'b', checks: [gated('b1')] },
    ];
    for await (const r of runChecks(categories, { clock, waitMs: 0, hintBase: '' })) results.push(r);
  })();
  await settle();
  assert.deepEqual(started, ['a1', 'a2', 'b1'], 'all checks start before any ends');
  for (const d of ['b1', 'a2', 'a1']) {
    gates.get(d)?.();
    await settle();
  }
  await consumer;
  assert.deepEqual(finished, ['b1', 'a2', 'a1']);
  assert.deepEqual(results.map(brief), ['a/a1', 'a/a2', 'b/b1']);
});

test('a fatal failure stops the rest of the run, later checks are aborted and not reported', async () => {
  const clock = new FakeClock();
  let laterAborted = false;
  const results = await collect(
    [
      { id: 'a', checks: [pass('ok'), fail('boom', 'kaput', { fatal: true }), pass('after')] },
      {
        id: 'b',
        checks: [
          {
            description: 'hangs',
            hintAnchor: 'x',
            run: (signal) =>
              new Promise((_, reject) =>
                signal.addEventListener('abort', () => {
                  laterAborted = true;
                  reject(new Error('aborted'));
                }),
              ),
          },
        ],
      },
    ],
    clock,
  );
  assert.deepEqual(results.map(brief), ['a/ok', 'a/boom: kaput']);
  assert.equal(results[1]?.hintUrl, 'https://h/#anchor-boom');
  assert.equal(laterAborted, true);
});

test('non-fatal errors and warnings continue; skipped checks vanish; extra messages join the description', async () => {
  const clock = new FakeClock();
  const results = await collect(
    [
      {
        id: 'a',
        checks: [
          fail('err', 'bad'),
          fail('warn', 'meh', { warning: true, fatal: true }),
          {
            description: 'skipped',
            hintAnchor: 's',
            run: async () => {
              throw new SkipCheck('not applicable');
            },
          },
          { description: 'verbose', hintAnchor: 'v', run: async () => 'link1\nlink2' },
        ],
      },
    ],
    clock,
  );
  assert.deepEqual(results.map(brief), ['a/err: bad', 'a/warn: meh', 'a/verbose\nlink1\nlink2']);
  assert.equal(results[0]?.warning, false);
  assert.equal(results[1]?.warning, true);
});

test('a retryable check reports "waiting" every 5 s until it passes', async () => {
  const clock = new FakeClock();
  let attempts = 0;
  const times: number[] = [];
  const results = await collect(
    [
      {
        id: 'a',
        checks: [
          {
            description: 'eventually',
            hintAnchor: 'e',
            retry: true,
            run: async () => {
              times.push(clock.now());
              if (++attempts < 3) throw new Error('not yet');
            },
          },
        ],
      },
    ],
    clock,
  );
  assert.deepEqual(results.map(brief), [
    `retry a/eventually: ${WAITING_MESSAGE}`,
    `retry a/eventually: ${WAITING_MESSAGE}`,
    'a/eventually',
  ]);
  assert.deepEqual(times, [0, 5000, 10000]);
});

test('surface-error-on-retry shows the real error; after the shared deadline the failure is final', async () => {
  const clock = new FakeClock();
  const results = await collect(
    [
      {
        id: 'a',
        checks: [
          fail('never', 'pods not ready', { retry: true, surfaceErrorOnRetry: true, warning: true }),
          fail('also', 'nope', { retry: true }),
        ],
      },
    ],
    clock,
    { waitMs: 12_000 },
  );
  const finals = results.filter((r) => !r.retry);
  assert.deepEqual(finals.map(brief), ['a/never: pods not ready', 'a/also: nope']);
  assert.equal(finals[0]?.warning, true);
  const retries = results.filter((r) => r.retry);
  assert.ok(retries.length >= 1);
  assert.ok(retries.every((r) => r.description === 'never' && r.error === 'pods not ready'));
  // Attempts at 0, 5 s, 10 s, then 15 s is past the 12 s deadline: final.
  assert.ok(clock.now() >= 12_000 && clock.now() <= 15_000, `ended at ${clock.now()}`);
});

test('each attempt has its own timeout', async () => {
  const clock = new FakeClock();
  const results = await collect(
    [{ id: 'a', checks: [{ description: 'hangs', hintAnchor: 'h', run: () => new Promise(() => undefined) }] }],
    clock,
  );
  assert.deepEqual(results.map(brief), ['a/hangs: context deadline exceeded']);
  assert.equal(clock.now(), 30_000);
});

test('skip reasons and retried errors go to the debug log', async () => {
  const clock = new FakeClock();
  const lines: string[] = [];
  let n = 0;
  await collect(
    [
      {
        id: 'a',
        checks: [
          {
            description: 'skipme',
            hintAnchor: 's',
            run: async () => {
              throw new SkipCheck('CNI is off');
            },
          },
          {
            description: 'flaky',
            hintAnchor: 'f',
            retry: true,
            run: async () => {
              if (n++ === 0) throw new Error('first try fails');
            },
          },
        ],
      },
    ],
    clock,
    { debug: (l) => lines.push(l) },
  );
  assert.deepEqual(lines.sort(), ['Retrying on error: first try fails', 'Skipping check: skipme. Reason: CNI is off']);
});
