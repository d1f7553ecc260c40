import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** Splits `GetDestination.path` into host and port (default 80); IPv6 hosts are bracketed. */
export function parseHostPort(path: string): HostPort {
  if (!path.includes(':')) return { host: path, port: 80 };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):([^:]*)$/.exec(path);
  if (m === null) throw new Error(`invalid authority: ${path}`);
  const host = m[1] ?? m[2] ?? '';
  const portText = m[3] ?? '';
  if (!/^\d+$/.test(portText)) throw new Error(`invalid port in ${path}`);
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new Error(`invalid port in ${path}`);
  return { host, port };
}

export function isIpLiteral(host: string): boolean {
  return isIP(host) !== 0;
}

export interface ServiceName {
  name: string;
  namespace: string;
  /** Endpoint hostname for `<instance>.<svc>.<ns>.svc.<cd>` names. */
  instance?: string;
}

/** `<svc>.<ns>.svc.<cd>` or `<instance>.<svc>.<ns>.svc.<cd>`; anything else is invalid. */
export function parseServiceName(host: string, clusterDomain: string): ServiceName {
  const labels = host.split('.');
  const suffix = ['svc', ...clusterDomain.split('.')];
  const prefix = labels.slice(0, labels.length - suffix.length);
  const tail = labels.slice(labels.length - suffix.length);
  if (tail.length !== suffix.length || tail.some((l, i) => l !== suffix[i]) || prefix.some((l) => l === '')) {
    throw new Error(`invalid k8s service ${host}`);
  }
  if (prefix.length === 2) return { name: prefix[0] ?? '', namespace: prefix[1] ?? '' };
  if (prefix.length === 3) return { instance: prefix[0] ?? '', name: prefix[1] ?? '', namespace: prefix[2] ?? '' };
  throw new Error(`invalid k8s service ${host}`);
}

export interface ContextToken {
  ns?: string;
  nodeName?: string;
  pod?: string;
}

/** The proxy's context token: JSON, or the legacy `ns:<namespace>` form; anything else is ignored. */
export function parseContextToken(token: string, warn: (msg: string) => void = () => undefined): ContextToken {
  if (token === '') return {};
  try {
    const parsed = JSON.parse(token) as unknown;
    if (parsed !== null && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      const pick = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
      const out: ContextToken = {};
      for (const k of ['ns', 'nodeName', 'pod'] as const) {
        const v = pick(k);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
  } catch {
    // fall through to the legacy form
  }
  if (token.startsWith('ns:')) {
    warn(`context token ${token} using old token format`);
    return { ns: token.slice(3) };
  }
  warn(`context token ${token} is invalid`);
  return {};
}
