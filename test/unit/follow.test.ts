import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { followChanges } from '../../src/runtime/shared/follow.js';

class Source extends EventEmitter<{ change: [string, string] }> {}

test('followChanges publishes now and after relevant changes, coalescing bursts', async () => {
  const source = new Source();
  const abort = new AbortController();
  let n = 0;
  const seen: number[] = [];
  const stream = followChanges<number>({
    source,
    capacity: 10,
    signal: abort.signal,
    relevant: (ns) => ns === 'a',
    publish: (q) => void q.push(++n),
    onOverflow: () => undefined,
  });
  const done = (async () => {
    for await (const v of stream) {
      seen.push(v);
      if (seen.length === 1) {
        source.emit('change', 'b', 'Pod');
        source.emit('change', 'a', 'Pod');
        source.emit('change', 'a', 'Server');
        setTimeout(() => abort.abort(), 50);
      }
    }
  })();
  await done;
  assert.deepEqual(seen, [1, 2]);
  assert.equal(source.listenerCount('change'), 0);
});

test('a publish that throws after the first run ends the stream instead of crashing', async () => {
  const source = new Source();
  let calls = 0;
  const errors: unknown[] = [];
  const stream = followChanges<number>({
    source,
    capacity: 10,
    signal: new AbortController().signal,
    relevant: () => true,
    publish: (q) => {
      if (++calls > 1) throw new Error('boom');
      q.push(calls);
    },
    onOverflow: () => undefined,
    onError: (err) => errors.push(err),
  });
  const seen: number[] = [];
  for await (const v of stream) {
    seen.push(v);
    source.emit('change', 'x', 'Pod');
  }
  assert.deepEqual(seen, [1]);
  assert.equal(errors.length, 1);
});
