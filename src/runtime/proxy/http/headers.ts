// Header hygiene for proxied HTTP messages.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Fields that only describe one hop's connection; HTTP/2 forbids them (RFC 9113 §8.2.2). */
export const CONNECTION_SPECIFIC: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
];

const HOP_BY_HOP = new Set([...CONNECTION_SPECIFIC, 'te', 'trailer', 'http2-settings']);

/** Copies headers minus hop-by-hop ones (and those named in `Connection`) and pseudo-headers. */
export function forwardableHeaders(headers: IncomingHttpHeaders, drop: readonly string[] = []): OutgoingHttpHeaders {
  const named = new Set(
    String(headers['connection'] ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== ''),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k.startsWith(':') || HOP_BY_HOP.has(k) || named.has(k) || drop.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

export function hasBody(headers: IncomingHttpHeaders): boolean {
  const len = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}
