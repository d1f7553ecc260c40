export interface ControlTlsOptions {
  /** PEM trust anchors used to verify the controller. */
  ca: string | Buffer;
  /** Optional client certificate chain and key (PEM) for mTLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** SNI and the identity the server certificate must carry. */
  serverName: string;
}

export interface ControlEndpoint {
  /** `host:port`, e.g. `127.0.0.1:8086` or `linkerd-dst-headless.linkerd.svc.cluster.local.:8086`. */
  address: string;
  tls?: ControlTlsOptions;
}

/** Exponential backoff with full jitter. */
export function backoffDelayMs(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.max(minMs, Math.floor(ceiling * random()));
}
