// One HTTP/1 exchange forwarded to an upstream, shared by the inbound and outbound stacks.
import http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { ProxyError } from '../protocol/errors.js';
import { whenEstablished } from '../net/established.js';
import { forwardableHeaders } from './headers.js';

/** An error that happened before the connection was established: the request was not sent. */
export class NotSentError extends ProxyError {}

export function toProxyError(err: unknown, connected: boolean): ProxyError {
  if (err instanceof ProxyError) return err;
  const e = err as NodeJS.ErrnoException;
  const message = e.message ?? String(err);
  if (e.code === 'ETIMEDOUT_CONNECT') return new NotSentError('connect_timeout', `connect timed out`);
  if (!connected) return new NotSentError('io', message);
  return new ProxyError('io', message);
}

/**
 * Sends `req` to `agent`'s upstream. `bodyless` requests are not piped, so the same request can
 * be sent again when the first attempt was never connected.
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
