// One HTTP/2 stream forwarded to an upstream session, trailers included (gRPC).
import http2 from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';
import { ProxyError } from '../protocol/errors.js';
import { CONNECTION_SPECIFIC } from './headers.js';

// `te` is kept when it is `trailers` (gRPC needs it).
const NOT_FORWARDED = new Set([...CONNECTION_SPECIFIC, 'http2-settings']);

export function forwardableH2Headers(headers: IncomingHttpHeaders, drop: readonly string[] = []): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || NOT_FORWARDED.has(k) || drop.includes(k)) continue;
    if (k === 'te' && v !== 'trailers') continue;
    out[k] = v;
  }
  return out;
}

export function sendH2(
  session: http2.ClientHttp2Session,
  headers: OutgoingHttpHeaders,
  body: http2.ServerHttp2Stream,
): Promise<{ upstream: http2.ClientHttp2Stream; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    let upstream: http2.ClientHttp2Stream;
    try {
      upstream = session.request(headers);
    } catch (err) {
      reject(new ProxyError('io', (err as Error).message));
      return;
    }
    body.pipe(upstream);
    upstream.once('response', (h) => resolve({ upstream, headers: h }));
    upstream.once('error', (err) => reject(new ProxyError('io', err.message)));
    body.once('close', () => {
      if (!upstream.closed && body.rstCode !== undefined && body.rstCode !== http2.constants.NGHTTP2_NO_ERROR)
        upstream.close(body.rstCode);
    });
  });
}

export interface H2Outcome {
  status: number;
  grpcStatus: number | undefined;
  error: string | undefined;
}

export function relayH2Response(
  upstream: http2.ClientHttp2Stream,
  headers: IncomingHttpHeaders,
  stream: http2.ServerHttp2Stream,
  drop: readonly string[],
): Promise<H2Outcome> {
  return new Promise((resolve) => {
    const status = Number(headers[':status'] ?? 502);
    let trailers: IncomingHttpHeaders | undefined;
    upstream.once('trailers', (t) => (trailers = t));
    const grpcOf = (): number | undefined => {
      const v = headers['grpc-status'] ?? trailers?.['grpc-status'];
      return v === undefined ? undefined : Number(v);
    };
    if (stream.destroyed) {
      upstream.close();
      resolve({ status, grpcStatus: undefined, error: 'unclassified' });
      return;
    }
    stream.respond(forwardableH2Headers(headers, drop), { waitForTrailers: true });
    stream.once('wantTrailers', () => {
      const t: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(trailers ?? {})) if (v !== undefined && !k.startsWith(':')) t[k] = v;
      stream.sendTrailers(t);
    });
    upstream.pipe(stream);
    let settled = false;
    const done = (error: string | undefined): void => {
      if (settled) return;
      settled = true;
      resolve({ status, grpcStatus: grpcOf(), error });
    };
    stream.once('close', () =>
      done(stream.rstCode === http2.constants.NGHTTP2_NO_ERROR ? undefined : `h2(${stream.rstCode})`),
    );
    upstream.once('error', () => {
      stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      done('unclassified');
    });
  });
}
