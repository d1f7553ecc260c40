// The legacy proxy families Linkerd tooling reads (spec proxy §7.1), with their label sets.
import { Counter, Gauge, Histogram, type Labels, Registry, renderLabels } from './registry.js';
import { registerProcessMetrics } from './process.js';

export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000, 20000, 30000, 40000,
  50000,
];

export type Direction = 'inbound' | 'outbound';

/** Server-side (accepting) TLS labels. */
export type ServerTls =
  | { tls: 'true'; clientId: string }
  | { tls: 'opaque'; sni: string }
  | { tls: 'no_identity'; reason: 'no_tls_from_remote' | 'loopback' | 'port_skipped' };

/** Client-side (connecting) TLS labels. */
export type ClientTls =
  { tls: 'true'; serverId: string } | { tls: 'no_identity'; reason: 'not_provided_by_service_discovery' | 'loopback' };

export function serverTlsLabels(t: ServerTls): Labels {
  if (t.tls === 'true')
    return [
      ['tls', 'true'],
      ['client_id', t.clientId],
    ];
  if (t.tls === 'opaque')
    return [
      ['tls', 'opaque'],
      ['sni', t.sni],
    ];
  return [
    ['tls', 'no_identity'],
    ['no_tls_reason', t.reason],
  ];
}

export function clientTlsLabels(t: ClientTls): Labels {
  if (t.tls === 'true')
    return [
      ['tls', 'true'],
      ['server_id', t.serverId],
    ];
  return [
    ['tls', 'no_identity'],
    ['no_tls_reason', t.reason],
  ];
}

export function targetLabels(ip: string, port: number): Labels {
  const addr = ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
  return [
    ['target_addr', addr],
    ['target_ip', ip],
    ['target_port', String(port)],
  ];
}

export function dstLabels(labels: Record<string, string>): Labels {
  return Object.keys(labels)
    .sort()
    .map((k) => [`dst_${k}`, labels[k] ?? ''] as const);
}

export interface ResponseOutcome {
  statusCode: number | undefined;
  grpcStatus: number | undefined;
  error: string | undefined;
}

const GRPC_FAILURES = new Set([15, 4, 13, 7, 14, 2]);

export function classify(o: ResponseOutcome): 'success' | 'failure' {
  if (o.error) return 'failure';
  if (o.grpcStatus !== undefined) return GRPC_FAILURES.has(o.grpcStatus) ? 'failure' : 'success';
  return o.statusCode !== undefined && o.statusCode >= 500 ? 'failure' : 'success';
}

export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly requestTotal = this.registry.add(new Counter('request_total', 'Total count of HTTP requests.'));
  private readonly responseTotal = this.registry.add(new Counter('response_total', 'Total count of HTTP responses.'));
  private readonly responseLatency = this.registry.add(
    new Histogram(
      'response_latency_ms',
      "Elapsed times between a request's headers being received and its response stream completing",
      LATENCY_BUCKETS_MS,
    ),
  );
  private readonly tcpOpenTotal = this.registry.add(new Counter('tcp_open_total', 'Total count of opened connections'));
  private readonly tcpOpenConnections = this.registry.add(
    new Gauge('tcp_open_connections', 'Number of currently-open connections'),
  );
  private readonly tcpReadBytes = this.registry.add(
    new Counter('tcp_read_bytes_total', 'Total count of bytes read from peers'),
  );
  private readonly tcpWriteBytes = this.registry.add(
    new Counter('tcp_write_bytes_total', 'Total count of bytes written to peers'),
  );
  private readonly tcpCloseTotal = this.registry.add(
    new Counter('tcp_close_total', 'Total count of closed connections'),
  );
  readonly detectResults = {
    inbound: this.registry.add(
      new Counter('inbound_tcp_detect_http_results_total', 'Results of HTTP protocol detection'),
    ),
    outbound: this.registry.add(
      new Counter('outbound_tcp_detect_http_results_total', 'Results of HTTP protocol detection'),
    ),
  };
  readonly httpErrors = {
    inbound: this.registry.add(
      new Counter(
        'inbound_http_errors_total',
        'The total number of inbound HTTP requests that could not be processed due to a proxy error.',
      ),
    ),
    outbound: this.registry.add(
      new Counter(
        'outbound_http_errors_total',
        'The total number of outbound HTTP requests that could not be processed due to a proxy error.',
      ),
    ),
  };
  readonly tcpAuthzDeny = this.registry.add(
    new Counter('inbound_tcp_authz_deny_total', 'The total number of inbound TCP connections that were denied'),
  );
  readonly certExpiry = this.registry.add(
    new Gauge(
      'identity_cert_expiration_timestamp_seconds',
      "Time when the this proxy's current mTLS identity certificate will expire (in seconds since the UNIX epoch)",
    ),
  );
  readonly controlCertExpiry = this.registry.add(
    new Gauge(
      'control_identity_cert_expiration_timestamp_seconds',
      "Time when the this proxy's current mTLS identity certificate will expire (in seconds since the UNIX epoch)",
    ),
  );
  readonly controlCertRefresh = this.registry.add(
    new Gauge(
      'control_identity_cert_refresh_timestamp_seconds',
      "Time when the this proxy's current mTLS identity certificate was last refreshed (in seconds since the UNIX epoch)",
    ),
  );
  readonly controlCertRefreshes = this.registry.add(
    new Counter('control_identity_cert_refreshes_total', 'The total number of certificate refreshes'),
  );
  private readonly buildInfo = this.registry.add(new Gauge('proxy_build_info', 'Proxy build info'));

  constructor(version: string, startTimeSeconds: number) {
    this.buildInfo.set(
      renderLabels([
        ['date', ''],
        ['git_sha', ''],
        ['profile', 'release'],
        ['vendor', 'l5d'],
        ['version', version],
      ]),
      1,
    );
    registerProcessMetrics(this.registry, startTimeSeconds);
  }

  certificateInstalled(expiresAt: Date, now: Date = new Date()): void {
    this.certExpiry.set('', Math.floor(expiresAt.getTime() / 1000));
    this.controlCertExpiry.set('', Math.floor(expiresAt.getTime() / 1000));
    this.controlCertRefresh.set('', Math.floor(now.getTime() / 1000));
  }

  /** Records one request/response exchange; `requestKey` is the rendered request label set. */
  request(requestKey: string): void {
    this.requestTotal.inc(requestKey);
  }

  response(requestKey: string, o: ResponseOutcome, latencyMs: number): void {
    const status = o.statusCode === undefined ? '' : String(o.statusCode);
    const withStatus = `${requestKey},status_code="${status}"`;
    this.responseLatency.observe(withStatus, latencyMs);
    const rest = renderLabels([
      ['classification', classify(o)],
      ['grpc_status', o.grpcStatus === undefined ? '' : String(o.grpcStatus)],
      ['error', o.error ?? ''],
    ]);
    this.responseTotal.inc(`${withStatus},${rest}`);
  }

  tcpOpen(transportKey: string): void {
    this.tcpOpenTotal.inc(transportKey);
    this.tcpOpenConnections.inc(transportKey);
  }

  tcpClose(transportKey: string, bytesRead: number, bytesWritten: number, errno: string | undefined): void {
    this.tcpOpenConnections.inc(transportKey, -1);
    this.tcpReadBytes.inc(transportKey, bytesRead);
    this.tcpWriteBytes.inc(transportKey, bytesWritten);
    this.tcpCloseTotal.inc(`${transportKey},errno="${errno ?? ''}"`);
  }

  render(): string {
    return this.registry.render();
  }
}
