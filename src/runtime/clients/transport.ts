import type { Transport } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';

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

/** A gRPC (HTTP/2) transport to a control-plane API: h2c in tests, TLS/mTLS in the mesh. */
export function controlTransport(endpoint: ControlEndpoint): Transport {
  const scheme = endpoint.tls === undefined ? 'http' : 'https';
  const tls = endpoint.tls;
  return createGrpcTransport({
    baseUrl: `${scheme}://${endpoint.address}`,
    pingIntervalMs: 10_000,
    pingTimeoutMs: 3_000,
    pingIdleConnection: true,
    ...(tls === undefined
      ? {}
      : {
          nodeOptions: {
            ca: tls.ca,
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            servername: tls.serverName,
            minVersion: 'TLSv1.3' as const,
          },
        }),
  });
}

/** Exponential backoff with full jitter. */
export function backoffDelayMs(attempt: number, minMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.max(minMs, Math.floor(ceiling * random()));
}
