// What the proxy needs from service discovery (Destination.Get), independent of its source.
import type { ConsecutiveFailuresParams } from '../balance/failure-accrual.js';
export type ProtocolHint = 'h2' | 'opaque' | undefined;

export interface Endpoint {
  address: string;
  port: number;
  weight: number;
  /** Expected mTLS identity of the endpoint's proxy; undefined ⇒ plaintext. */
  tlsIdentity: string | undefined;
  /** SNI to send; defaults to the identity. */
  serverName: string | undefined;
  protocolHint: ProtocolHint;
  /** Peer proxy's inbound port for transport-header mode. */
  opaqueTransportPort: number | undefined;
  /** Become `dst_<key>` metric labels. */
  labels: Record<string, string>;
}

export type Resolution =
  /** The control plane does not know this destination: forward to the original address. */
  | { kind: 'unknown' }
  | {
      kind: 'endpoints';
      endpoints: Endpoint[];
      labels: Record<string, string>;
      /** The service is opaque: no protocol detection (a ServiceProfile's `opaque_protocol`). */
      opaque: boolean;
      /** Consecutive-failures accrual, when the service enables it. */
      failureAccrual?: ConsecutiveFailuresParams;
    };

export interface EndpointWatch {
  /** The latest resolution; waits for the first answer. */
  current(): Promise<Resolution>;
  /** Called with every later resolution. */
  onUpdate(listener: (r: Resolution) => void): void;
  close(): void;
}

export interface Discovery {
  /** `authority` is `host:port` (an IP:port original destination or a service name). */
  watch(authority: string): EndpointWatch;
  close(): void;
}

export function endpointKey(e: Pick<Endpoint, 'address' | 'port'>): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
