// The HTTP/1 side of a proxy listener, with the bounds a server facing arbitrary clients needs:
// headers must arrive within HEADERS_TIMEOUT_MS (slowloris), an idle kept-alive connection is
// closed after IDLE_TIMEOUT_MS, and headers are bounded in size. Bodies and responses have no
// deadline here: streaming requests and long polls are the application's business.
import http from 'node:http';

export const H1_SERVER_LIMITS = {
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 120_000,
  maxHeaderBytes: 64 * 1024,
  /** How often node:http looks for connections past their header deadline. */
  checkIntervalMs: 1_000,
} as const;

export type H1ServerLimits = { [K in keyof typeof H1_SERVER_LIMITS]: number };

export function createProxyH1Server(
  onRequest: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  limits: H1ServerLimits = H1_SERVER_LIMITS,
): http.Server {
  const server = http.createServer(
    {
      // requestTimeout also bounds a request's body; 0 keeps streaming uploads alive. With it 0,
      // headersTimeout must be set explicitly, or node:http derives 0 (no limit) from it.
      requestTimeout: 0,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.idleTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    onRequest,
  );
  // The proxy hands this server accepted connections and never calls listen(), but node:http
  // starts its connection tracking (the header and request deadlines) only on 'listening'.
  server.emit('listening');
  return server;
}
