// An http.Agent whose connections come from a dial function (mTLS + transport header, or a
// plain connect as the proxy user).
import http from 'node:http';
import type { Duplex } from 'node:stream';

/** HTTP/1 pool idle timeout (LINKERD2_PROXY_*_HTTP1_CONNECTION_POOL_IDLE_TIMEOUT default 3s). */
export const POOL_IDLE_TIMEOUT_MS = 3000;

export class DialAgent extends http.Agent {
  constructor(private readonly dial: () => Duplex) {
    // Idle pooled sockets close after 3s, before a typical server's 5s keep-alive timeout, so a
    // request is not written onto a connection the server is closing.
    super({
      keepAlive: true,
      maxSockets: Infinity,
      maxFreeSockets: 10_000,
      scheduling: 'lifo',
      timeout: POOL_IDLE_TIMEOUT_MS,
    });
  }

  override createConnection(): Duplex {
    return this.dial();
  }
}
