// One HTTP/1 exchange forwarded to an upstream, shared by the inbound and outbound stacks.
import http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { ProxyError } from '../protocol/errors.js';
import { whenEstablished } from '../net/established.js';
import { forwardableHeaders } from './headers.js';

/** An error that happened before the connection was established: the request was not sent. */
export class NotSentError extends ProxyError {}

/**
 * The connection was reset or closed after the request may have been sent but before the
 * response headers arrived (a peer that died, or a pooled connection the peer was closing).
 */
export class ConnectionLostError extends ProxyError {}

const LOST = new Set(['ECONNRESET', 'EPIPE']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export function toProxyError(err: unknown, connected: boolean): ProxyError {
  if (err instanceof ProxyError) return err;
  const e = err as NodeJS.ErrnoException;
  const message = e.message ?? String(err);
  if (e.code === 'ETIMEDOUT_CONNECT') return new NotSentError('connect_timeout', `connect timed out`);
  if (!connected) return new NotSentError('io', message);
  if (LOST.has(e.code ?? '')) return new ConnectionLostError('io', message);
  return new ProxyError('io', message);
}

/**
 * Whether a request whose exchange failed with `err` (before any response) may be sent again,
 * to any endpoint: a bodiless request that was never sent, or a bodiless idempotent one whose
 * connection was lost before the response (RFC 9110 §9.2.2). Bodies are streamed, not kept.
 */
export function mayResend(err: unknown, method: string | undefined, bodyless: boolean): boolean {
  if (!bodyless) return false;
  if (err instanceof NotSentError) return true;
  return err instanceof ConnectionLostError && IDEMPOTENT.has(method ?? '');
}

/**
 * Sends `req` to `agent`'s upstream. `bodyless` requests are not piped, so the same request can
 * be sent again after a failed attempt (see mayResend).
 */
export function sendH1(
  req: http.IncomingMessage,
  agent: http.Agent,
  host: string,
  port: number,
  headers: OutgoingHttpHeaders,
  bodyless: boolean,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const up = http.request({ agent, host, port, method: req.method, path: req.url, headers, setHost: false });
    up.once('socket', (s) => whenEstablished(s, () => (connected = true)));
    up.once('response', resolve);
    up.once('error', (err) => reject(toProxyError(err, connected)));
    if (bodyless) up.end();
    else req.pipe(up);
  });
}

/** Streams `upRes` to `res`; resolves when the response has been fully sent. */
export function relayH1Response(
  upRes: http.IncomingMessage,
  res: http.ServerResponse,
  drop: readonly string[],
): Promise<string | undefined> {
  return new Promise((resolve) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, forwardableHeaders(upRes.headers, drop));
    upRes.pipe(res);
    let settled = false;
    const done = (error: string | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(error);
    };
    res.once('finish', () => done(undefined));
    res.once('close', () => done(res.writableFinished ? undefined : 'unclassified'));
    upRes.once('error', () => {
      res.destroy();
      done('unclassified');
    });
  });
}
