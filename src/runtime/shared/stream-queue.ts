/**
 * A bounded single-consumer queue feeding one gRPC stream. Overflow closes the queue (the stream
 * then ends with OK, as upstream aborts slow streams); `overflowed` tells why it ended.
 */
export class StreamQueue<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;
  overflowed = false;

  constructor(private readonly capacity: number) {}

  push(item: T): boolean {
    if (this.closed) return false;
    if (this.items.length >= this.capacity) {
      this.overflowed = true;
      this.close();
      return false;
    }
    this.items.push(item);
    this.wake();
    return true;
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async *drain(signal: AbortSignal): AsyncGenerator<T> {
    const onAbort = () => this.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const item = this.items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.waiter = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}
