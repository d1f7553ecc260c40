// Connections accepted before the proxy has its first certificate (spec proxy §4.6). linkerd2-proxy
// leaves them in the kernel's backlog; node cannot bind a listener without accepting, so they are
// accepted paused (no byte read) and held here, up to a bound: past it a connection is closed, as
// a full backlog would refuse it, instead of holding memory for every client that knocks.
import type net from 'node:net';

export const MAX_PENDING_CONNECTIONS = 1024;

export class PendingConnections {
  private readonly waiting: Array<{ socket: net.Socket; run: () => void }> = [];

  constructor(private readonly max: number = MAX_PENDING_CONNECTIONS) {}

  /** Holds `socket` until release(); false (and the socket destroyed) when the bound is reached. */
  hold(socket: net.Socket, run: () => void): boolean {
    if (this.waiting.length >= this.max) this.prune();
    if (this.waiting.length >= this.max) {
      socket.destroy();
      return false;
    }
    this.waiting.push({ socket, run });
    return true;
  }

  /** Runs every held connection that is still open, in arrival order. */
  release(): void {
    for (const { socket, run } of this.waiting.splice(0)) if (!socket.destroyed) run();
  }

  get size(): number {
    this.prune();
    return this.waiting.length;
  }

  /** Clients that gave up while waiting no longer count against the bound. */
  private prune(): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i]?.socket.destroyed) this.waiting.splice(i, 1);
    }
  }
}
