import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Discovery, Resolution } from '../../src/runtime/proxy/discovery/discovery.js';
import { lazyDiscovery } from '../../src/runtime/proxy/discovery/lazy-discovery.js';

function recordingDiscovery(log: string[]): Discovery {
  return {
    watch: (authority) => {
      log.push(`watch ${authority}`);
      return {
        current: async (): Promise<Resolution> => ({ kind: 'unknown' }),
        onUpdate: (l) => {
          log.push(`listen ${authority}`);
          l({ kind: 'unknown' });
        },
        close: () => log.push(`close ${authority}`),
      };
    },
    close: () => log.push('close'),
  };
}

test('builds the discovery on the first lookup, once, and passes every call through', async () => {
  const log: string[] = [];
  let loads = 0;
  const lazy = lazyDiscovery(async () => {
    loads++;
    return recordingDiscovery(log);
  });
  assert.equal(loads, 0);
  const a = lazy.watch('a:80');
  const b = lazy.watch('b:80');
  assert.deepEqual(await a.current(), { kind: 'unknown' });
  const updates: Resolution[] = [];
  b.onUpdate((r) => updates.push(r));
  await b.current();
  a.close();
  lazy.close();
  await new Promise((r) => setImmediate(r));
  assert.equal(loads, 1);
  assert.deepEqual(log, ['watch a:80', 'watch b:80', 'listen b:80', 'close a:80', 'close']);
  assert.equal(updates.length, 1);
});

test('a discovery that fails to load fails its lookups, without unhandled rejections', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): number => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const lazy = lazyDiscovery(() => Promise.reject(new Error('no module')));
    const w = lazy.watch('a:80');
    w.onUpdate(() => undefined);
    w.close();
    lazy.close();
    await assert.rejects(w.current(), /no module/);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
