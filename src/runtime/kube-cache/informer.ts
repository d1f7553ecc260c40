import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import type { KubeList, KubeObject } from '../../kube/types.js';
import { collectionPath, type ResourceType } from './resource.js';
import { IndexedStore, objectKey, type IndexFn } from './store.js';

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface InformerOptions {
  log: InformerLogger;
  namespace?: string;
  labelSelector?: string;
  /** Page size of the initial list. */
  pageSize?: number;
  /** Delay before retrying after a failed list/watch, and between probes of an absent resource. */
  retryDelayMs?: number;
  /** Server-side watch timeout; the informer re-watches from the last resourceVersion afterwards. */
  watchTimeoutSeconds?: number;
}

/**
 * List+watch cache of one resource type, like client-go's shared informer: lists (paged), then
 * watches from the list's resourceVersion, re-watches from the last seen version when a watch
 * ends, and relists when the version is too old (410 Gone). A resource that is not served (e.g.
 * an absent CRD) counts as synced and empty, and is probed again periodically.
 */
export class Informer<T extends KubeObject> {
  readonly store = new IndexedStore<T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = '';
  private syncedFlag = false;
  private resolveSynced!: () => void;
  readonly synced: Promise<void> = new Promise((r) => (this.resolveSynced = r));
  /** False while the API does not serve this resource. */
  available = true;

  constructor(
    private readonly kube: KubeClient,
    readonly type: ResourceType,
    private readonly opts: InformerOptions,
  ) {}

  get hasSynced(): boolean {
    return this.syncedFlag;
  }

  addIndex(name: string, fn: IndexFn<T>): this {
    this.store.addIndex(name, fn);
    return this;
  }

  on(handlers: InformerHandlers<T>): this {
    this.handlers.push(handlers);
    return this;
  }

  get(namespace: string, name: string): T | undefined {
    return this.store.get(namespace === '' ? name : `${namespace}/${name}`);
  }

  list(): T[] {
    return this.store.list();
  }

  inNamespace(namespace: string): T[] {
    return this.store.byIndex('namespace', namespace);
  }

  byIndex(name: string, value: string): T[] {
    return this.store.byIndex(name, value);
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const retry = this.opts.retryDelayMs ?? 1000;
    while (!signal.aborted) {
      try {
        await this.relist(signal);
        await this.watchLoop(signal);
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof KubeApiError && err.notFound) {
          this.markUnavailable();
          await sleep(Math.max(retry, 10_000), undefined, { signal }).catch(() => undefined);
          continue;
        }
        this.opts.log.warn({ resource: this.type.plural, err: String(err) }, 'list/watch failed; retrying');
        await sleep(retry, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  private markUnavailable(): void {
    if (this.available) this.opts.log.debug({ resource: this.type.plural }, 'resource not served; treating as empty');
    this.available = false;
    this.replaceAll([]);
    this.markSynced();
  }

  private markSynced(): void {
    if (this.syncedFlag) return;
    this.syncedFlag = true;
    this.resolveSynced();
  }

  private query(): Record<string, string | number | undefined> {
    return { labelSelector: this.opts.labelSelector };
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let rv = '';
    do {
      const page = await this.kube.request<KubeList<T>>({
        path: collectionPath(this.type, this.opts.namespace),
        query: { ...this.query(), limit: this.opts.pageSize ?? 500, continue: continueToken },
        signal,
      });
      for (const item of page.items) items.push(withTypeMeta(item, this.type));
      continueToken = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion ?? '';
    } while (continueToken !== undefined);
    this.available = true;
    this.resourceVersion = rv;
    this.replaceAll(items);
    this.markSynced();
  }

  private replaceAll(items: T[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      seen.add(objectKey(item));
      this.apply('upsert', item);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.get(key);
      if (old !== undefined) this.apply('delete', old);
    }
  }

  /** Watches until the server ends the stream; returns to relist only on 410. */
  private async watchLoop(signal: AbortSignal): Promise<void> {
    for (;;) {
      let sawEvent = false;
      try {
        const events = this.kube.watch<T | WatchStatus>({
          path: collectionPath(this.type, this.opts.namespace),
          query: {
            ...this.query(),
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300),
          },
          signal,
        });
        for await (const event of events) {
          sawEvent = true;
          if (event.type === 'ERROR') {
            const status = event.object as WatchStatus;
            if (status.code === 410) return;
            throw new Error(`watch error: ${status.message ?? JSON.stringify(status)}`);
          }
          const obj = event.object as T;
          const rv = obj.metadata?.resourceVersion;
          if (rv !== undefined) this.resourceVersion = rv;
          if (event.type === 'BOOKMARK') continue;
          this.apply(event.type === 'DELETED' ? 'delete' : 'upsert', withTypeMeta(obj, this.type));
        }
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 410) return;
        throw err;
      }
      if (signal.aborted) return;
      if (!sawEvent) await sleep(50, undefined, { signal }).catch(() => undefined);
    }
  }

  private apply(op: 'upsert' | 'delete', obj: T): void {
    if (op === 'delete') {
      const old = this.store.delete(objectKey(obj));
      if (old !== undefined) for (const h of this.handlers) h.delete?.(old);
      return;
    }
    const old = this.store.upsert(obj);
    if (old === undefined) {
      for (const h of this.handlers) h.add?.(obj);
    } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      for (const h of this.handlers) h.update?.(old, obj);
    }
  }
}

interface WatchStatus {
  kind?: string;
  code?: number;
  message?: string;
  metadata: { resourceVersion?: string };
}

/** List items lack apiVersion/kind; fill them in so consumers can rely on them. */
function withTypeMeta<T extends KubeObject>(obj: T, type: ResourceType): T {
  if (obj.kind !== undefined && obj.apiVersion !== undefined) return obj;
  return { ...obj, kind: type.kind, apiVersion: type.group === '' ? type.version : `${type.group}/${type.version}` };
}
