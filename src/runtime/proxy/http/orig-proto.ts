// Server side of the HTTP/1 → HTTP/2 upgrade between proxies (spec proxy §3.5): an HTTP/2
// request carrying `l5d-orig-proto` is sent to the application as the original HTTP/1 request,
// and its response goes back as HTTP/2 marked with `l5d-orig-proto`.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { CONNECTION_SPECIFIC } from './headers.js';

export const ORIG_PROTO = 'l5d-orig-proto';

export interface DowngradedRequest {
  method: string;
  /** Origin-form path, or the absolute URI when the client used absolute-form. */
  path: string;
  headers: OutgoingHttpHeaders;
  version: 'HTTP/1.1' | 'HTTP/1.0';
}

const NOT_FORWARDED = new Set([...CONNECTION_SPECIFIC, 'te']);

/** Returns undefined when the request is not an upgraded HTTP/1 request. */
export function downgradeRequest(h: IncomingHttpHeaders): DowngradedRequest | undefined {
  const marker = h[ORIG_PROTO];
  if (typeof marker !== 'string') return undefined;
  const [proto = '', ...flags] = marker.split(';').map((s) => s.trim());
  if (proto !== 'HTTP/1.1' && proto !== 'HTTP/1.0') return undefined;
  const authority = String(h[':authority'] ?? h['host'] ?? '');
  const path = String(h[':path'] ?? '/');
  const absolute = flags.includes('absolute-form');
  const headers: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || k.startsWith(':') || k === ORIG_PROTO || NOT_FORWARDED.has(k)) continue;
    headers[k] = v;
  }
  if (authority !== '') headers['host'] = authority;
  return {
    method: String(h[':method'] ?? 'GET'),
    path: absolute ? `${String(h[':scheme'] ?? 'http')}://${authority}${path}` : path,
    headers,
    version: proto,
  };
}

/** The HTTP/2 response headers for an HTTP/1 response to a downgraded request. */
export function upgradeResponseHeaders(
  status: number,
  h: IncomingHttpHeaders,
  version: DowngradedRequest['version'],
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { ':status': status };
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || NOT_FORWARDED.has(k)) continue;
    out[k] = v;
  }
  out[ORIG_PROTO] = version;
  return out;
}
