// Discovery from a JSON file (L5D_PROXY_STATIC_DISCOVERY), re-read when it changes. Used by
// tests and local runs in place of the Destination API. Format:
// { "<authority>": { "labels": {...}, "opaque"?: true, "failureAccrual"?: "consecutive", "endpoints": [ { "address", "port", "identity"?,
//   "serverName"?, "protocolHint"?: "h2"|"opaque", "opaqueTransportPort"?, "weight"?, "labels"? } ] } }
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { DEFAULT_CONSECUTIVE } from '../balance/failure-accrual.js';
import type { Discovery, Endpoint, EndpointWatch, Resolution } from './discovery.js';

interface FileEndpoint {
  address: string;
  port: number;
  identity?: string;
  serverName?: string;
  protocolHint?: 'h2' | 'opaque';
  opaqueTransportPort?: number;
  weight?: number;
  labels?: Record<string, string>;
}
type FileShape = Record<
  string,
  { labels?: Record<string, string>; opaque?: boolean; failureAccrual?: 'consecutive'; endpoints: FileEndpoint[] }
>;

function toResolution(data: FileShape, authority: string): Resolution {
  const entry = data[authority];
  if (!entry) return { kind: 'unknown' };
  const endpoints: Endpoint[] = entry.endpoints.map((e) => ({
    address: e.address,
    port: e.port,
    weight: e.weight ?? 10000,
    tlsIdentity: e.identity,
    serverName: e.serverName,
    protocolHint: e.protocolHint,
    opaqueTransportPort: e.opaqueTransportPort,
    labels: e.labels ?? {},
  }));
  return {
    kind: 'endpoints',
    endpoints,
    labels: entry.labels ?? {},
    opaque: entry.opaque === true,
    ...(entry.failureAccrual === 'consecutive' ? { failureAccrual: DEFAULT_CONSECUTIVE } : {}),
  };
}

export class StaticDiscovery implements Discovery {
  private data: FileShape;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly file: string) {
    this.data = this.read();
    watchFile(file, { interval: 100, persistent: false }, () => {
      try {
        this.data = this.read();
      } catch {
        return; // a half-written file; the next change event brings the full one
      }
      for (const l of this.listeners) l();
    });
  }

  private read(): FileShape {
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${this.file}: expected an object of authority → { endpoints: [...] }`);
    }
    return parsed as FileShape;
  }

  watch(authority: string): EndpointWatch {
    const updates: Array<(r: Resolution) => void> = [];
    const notify = (): void => {
      const r = toResolution(this.data, authority);
      for (const u of updates) u(r);
    };
    this.listeners.add(notify);
    return {
      current: async () => toResolution(this.data, authority),
      onUpdate: (l) => updates.push(l),
      close: () => this.listeners.delete(notify),
    };
  }

  close(): void {
    unwatchFile(this.file);
    this.listeners.clear();
  }
}
