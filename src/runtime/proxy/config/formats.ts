// Parsers for the value formats of LINKERD2_PROXY_* variables (spec proxy §1.1). Each throws a
// plain Error whose message is the reason; the caller adds the variable name and value.
import { isIP } from 'node:net';
import { formatHostPort } from '../../shared/listen.js';

export interface SocketAddr {
  host: string;
  port: number;
}

export interface ControlAddr {
  host: string;
  port: number;
  /** Expected server identity (and SNI); undefined for loopback (no TLS). */
  identity: string | undefined;
}

export interface Cidr {
  family: 4 | 6;
  /** Network address as a big integer. */
  base: bigint;
  prefix: number;
}

export function parseBool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error('expected true or false');
}

export function parseNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new Error('expected a decimal integer');
  return Number(value.trim());
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`invalid port ${JSON.stringify(text)}`);
  const port = Number(text);
  if (port > 65535) throw new Error(`port ${port} is out of range`);
  return port;
}

export function parseSocketAddr(value: string): SocketAddr {
  const v = value.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:[\]]+):(\d+)$/.exec(v);
  if (!m || !m[1] || !m[2]) throw new Error('expected IP:PORT');
  if (isIP(m[1]) === 0) throw new Error(`${m[1]} is not an IP address`);
  if (v.startsWith('[') !== (isIP(m[1]) === 6)) throw new Error('IPv6 addresses must be in brackets');
  return { host: m[1], port: parsePort(m[2]) };
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** `host:port`; `name` is the `_SVC_NAME` value (mandatory unless loopback). */
export function parseControlAddr(addr: string, name: string | undefined): ControlAddr {
  const v = addr.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:[\]]+):(\d+)$/.exec(v);
  if (!m || !m[1] || !m[2]) throw new Error('expected HOST:PORT');
  const host = m[1];
  if (
    isIP(host) === 0 &&
    !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(host)
  ) {
    throw new Error(`${host} is neither a DNS name nor an IP address`);
  }
  const port = parsePort(m[2]);
  if (isLoopbackHost(host)) return { host, port, identity: undefined };
  if (!name) throw new Error('a non-loopback control address needs a _SVC_NAME identity');
  return { host, port, identity: parseIdentityName(name) };
}

export function parseIdentityName(value: string): string {
  const v = value.trim().replace(/\.$/, '');
  if (!/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(v)) {
    throw new Error('expected a DNS-like identity name');
  }
  return v.toLowerCase();
}

/** Comma-separated `N` or `LOW-HIGH`; returns a predicate-friendly sorted list of ranges. */
export function parsePortRanges(value: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const raw of value.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const m = /^(\d+)\s*-\s*(\d+)$/.exec(item);
    if (m && m[1] && m[2]) {
      const lo = parsePort(m[1]);
      const hi = parsePort(m[2]);
      if (hi < lo) throw new Error(`range ${item} has HIGH < LOW`);
      out.push([lo, hi]);
    } else {
      const p = parsePort(item);
      out.push([p, p]);
    }
  }
  return out;
}

export function inPortRanges(ranges: ReadonlyArray<readonly [number, number]>, port: number): boolean {
  return ranges.some(([lo, hi]) => port >= lo && port <= hi);
}

export function parseDnsSuffixes(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .map((s) => (s === '.' ? '.' : s.endsWith('.') ? s : `${s}.`));
}

export function ipToBigInt(ip: string): { family: 4 | 6; value: bigint } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const addr = mapped?.[1] ?? ip;
  const family = isIP(addr);
  if (family === 4) {
    const value = addr.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
    return { family: 4, value };
  }
  if (family === 6) {
    const [head = '', tail] = addr.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === undefined || tail === '' ? [] : tail.split(':');
    const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
    const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
    return { family: 6, value };
  }
  throw new Error(`${ip} is not an IP address`);
}

export function parseCidr(text: string): Cidr {
  const [ip, prefixText] = text.trim().split('/');
  if (!ip || prefixText === undefined || !/^\d+$/.test(prefixText)) throw new Error(`invalid CIDR ${text}`);
  const { family, value } = ipToBigInt(ip);
  const prefix = Number(prefixText);
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) throw new Error(`invalid prefix length in ${text}`);
  const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { family, base: value & mask, prefix };
}

export function parseNetworks(value: string): Cidr[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseCidr);
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const { family, value } = ipToBigInt(ip);
  if (family !== cidr.family) return false;
  const bits = family === 4 ? 32 : 128;
  const mask = ((1n << BigInt(cidr.prefix)) - 1n) << BigInt(bits - cidr.prefix);
  return (value & mask) === cidr.base;
}

export function parseIpSet(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (isIP(s) === 0) throw new Error(`${s} is not an IP address`);
      return s;
    });
}

/** Normalizes an address for comparisons: unwraps IPv4-mapped IPv6. */
export function unmapIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m?.[1] ?? ip;
}

/**
 * `host:port` to dial for a control-plane address. `localhost.` (the chart's spelling) does not
 * match /etc/hosts through getaddrinfo, so loopback names are dialed as 127.0.0.1.
 */
export function controlDialAddress(c: Pick<ControlAddr, 'host' | 'port'>): string {
  return formatHostPort(isIP(c.host) === 0 && isLoopbackHost(c.host) ? '127.0.0.1' : c.host, c.port);
}
