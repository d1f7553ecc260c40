// Feeding a server stream from cache changes, shared by the controllers' watch APIs.
import { StreamQueue } from './stream-queue.js';

/** Anything that emits `change(namespace, kind)` when its caches change. */
export interface ChangeSource {
  on(event: 'change', listener: (namespace: string, kind: string) => void): unknown;
  off(event: 'change', listener: (namespace: string, kind: string) => void): unknown;
}

export interface FollowOptions<T> {
  source: ChangeSource;
  capacity: number;
  signal: AbortSignal;
  relevant(namespace: string, kind: string): boolean;
  /** Runs once now and again (coalesced) after every relevant change. */
  publish(queue: StreamQueue<T>): void;
  onOverflow(): void;
  /** A `publish` that throws after the first run ends the stream (OK; the client re-subscribes). */
  onError?(err: unknown): void;
}

/** Yields what `publish` queues until the client goes away or the queue overflows. */
export async function* followChanges<T>(opts: FollowOptions<T>): AsyncGenerator<T> {
  const queue = new StreamQueue<T>(opts.capacity);
  let scheduled = false;
  const run = () => {
    scheduled = false;
    try {
      opts.publish(queue);
    } catch (err) {
      // Runs from setImmediate: a throw here would be an uncaught exception.
      opts.onError?.(err);
      queue.close();
    }
  };
  const onChange = (namespace: string, kind: string) => {
    if (scheduled || !opts.relevant(namespace, kind)) return;
    scheduled = true;
    setImmediate(run);
  };
  opts.source.on('change', onChange);
  try {
    opts.publish(queue);
    yield* queue.drain(opts.signal);
    if (queue.overflowed) opts.onOverflow();
  } finally {
    opts.source.off('change', onChange);
  }
}
