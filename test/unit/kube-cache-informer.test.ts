import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeClient, KubeRequest } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import type { KubeObject, WatchEvent } from '../../src/kube/types.js';
import { Informer } from '../../src/runtime/kube-cache/informer.js';
import { RESOURCES } from '../../src/runtime/kube-cache/resource.js';

const quiet = { debug: () => undefined, warn: () => undefined };

const pod = (name: string, rv: string, ns = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, resourceVersion: rv, labels: { app: name } },
});

/** A scripted API: successive list answers and watch streams; records every request. */
function fakeKube(lists: { items: KubeObject[]; rv: string }[], watches: (WatchEvent<unknown>[] | 'hang' | 410)[]) {
  const requests: string[] = [];
  const kube = {
    async request<T>(req: KubeRequest): Promise<T> {
      requests.push(`list ${req.path}`);
      const next = lists.shift();
      if (next === undefined) throw new Error('unexpected list');
      return { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: next.rv }, items: next.items } as T;
    },
    async *watch<T>(req: Omit<KubeRequest, 'method' | 'body'>): AsyncGenerator<WatchEvent<T>> {
      requests.push(`watch rv=${String(req.query?.resourceVersion)}`);
      const script = watches.shift() ?? 'hang';
      if (script === 410) throw new KubeApiError(410, 'Expired', 'too old');
      if (script === 'hang') {
        await new Promise<void>((resolve) => req.signal?.addEventListener('abort', () => resolve()));
        return;
      }
      for (const e of script) yield e as WatchEvent<T>;
    },
  };
  return { kube: kube as unknown as KubeClient, requests };
}

test('lists, watches from the list version, relists on 410 and reconciles', async () => {
  const { kube, requests } = fakeKube(
    [
      { items: [pod('a', '1')], rv: '10' },
      { items: [pod('b', '13'), pod('c', '14', 'other')], rv: '20' },
    ],
    [
      [
        { type: 'MODIFIED', object: pod('a', '11') },
        { type: 'ADDED', object: pod('b', '12') },
        { type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } },
        { type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } },
      ],
      'hang',
    ],
  );
  const events: string[] = [];
  const informer = new Informer<KubeObject>(kube, RESOURCES.pods, { log: quiet, retryDelayMs: 1 })
    .addIndex('app', (o) => [o.metadata.labels?.app ?? ''])
    .on({
      add: (o) => events.push(`add ${o.metadata.name}@${o.metadata.resourceVersion}`),
      update: (_old, o) => events.push(`update ${o.metadata.name}@${o.metadata.resourceVersion}`),
      delete: (o) => events.push(`delete ${o.metadata.name}`),
    });
  const abort = new AbortController();
  const running = informer.run(abort.signal);
  await informer.synced;
  const deadline = Date.now() + 2000;
  while (requests.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 20));
  abort.abort();
  await running;
  assert.deepEqual(requests, ['list /api/v1/pods', 'watch rv=10', 'list /api/v1/pods', 'watch rv=20']);
  assert.deepEqual(events, ['add a@1', 'update a@11', 'add b@12', 'update b@13', 'add c@14', 'delete a']);
  assert.deepEqual(
    informer.inNamespace('default').map((o) => o.metadata.name),
    ['b'],
  );
  assert.equal(informer.byIndex('app', 'c')[0]?.metadata.namespace, 'other');
  assert.equal(informer.get('default', 'b')?.kind, 'Pod');
});

test('an unserved resource (absent CRD) counts as synced and empty', async () => {
  const kube = {
    request: () =>
      Promise.reject(new KubeApiError(404, 'NotFound', 'the server could not find the requested resource')),
  } as unknown as KubeClient;
  const informer = new Informer<KubeObject>(kube, RESOURCES.serviceProfiles, { log: quiet });
  const abort = new AbortController();
  const running = informer.run(abort.signal);
  await informer.synced;
  assert.equal(informer.available, false);
  assert.deepEqual(informer.list(), []);
  abort.abort();
  await running;
});
