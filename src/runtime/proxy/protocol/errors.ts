// Error responses the proxy synthesizes (spec proxy §6.4).
export type ProxyErrorKind =
  | 'failfast'
  | 'loadshed'
  | 'identity_required'
  | 'io'
  | 'connect_timeout'
  | 'response_timeout'
  | 'no_route'
  | 'unauthorized'
  | 'unexpected';

interface ErrorClass {
  status: number;
  grpc: number;
  close: boolean;
  /** Label value for `*_http_errors_total{error=...}`. */
  metric: string;
}

const CLASSES: Record<ProxyErrorKind, ErrorClass> = {
  failfast: { status: 504, grpc: 4, close: true, metric: 'failfast' },
  loadshed: { status: 503, grpc: 14, close: true, metric: 'loadshed' },
  identity_required: { status: 502, grpc: 14, close: true, metric: 'identity required' },
  io: { status: 502, grpc: 14, close: true, metric: 'i/o' },
  connect_timeout: { status: 504, grpc: 4, close: true, metric: 'i/o' },
  response_timeout: { status: 504, grpc: 4, close: false, metric: 'response timeout' },
  no_route: { status: 404, grpc: 5, close: false, metric: 'unexpected' },
  unauthorized: { status: 403, grpc: 7, close: false, metric: 'unexpected' },
  unexpected: { status: 500, grpc: 13, close: true, metric: 'unexpected' },
};

export class ProxyError extends Error {
  constructor(
    readonly kind: ProxyErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export function errorClass(kind: ProxyErrorKind): ErrorClass {
  return CLASSES[kind];
}

export interface SynthesizedResponse {
  status: number;
  headers: Record<string, string>;
  close: boolean;
}

export interface SynthesisContext {
  grpc: boolean;
  /** Whether l5d-proxy-error, l5d-proxy-connection and grpc-message may be added. */
  informational: boolean;
  http1: boolean;
}

export function isGrpcRequest(httpVersionMajor: number, contentType: string | undefined): boolean {
  return httpVersionMajor === 2 && (contentType ?? '').startsWith('application/grpc');
}

/** Header values must not carry control characters. */
function headerSafe(message: string): string {
  return message.replace(/[^\t\x20-\x7e]/g, ' ');
}

export function synthesizeError(err: ProxyError, ctx: SynthesisContext): SynthesizedResponse {
  const c = CLASSES[err.kind];
  const message = headerSafe(err.message);
  const headers: Record<string, string> = { 'content-length': '0' };
  if (ctx.grpc) {
    headers['content-type'] = 'application/grpc';
    headers['grpc-status'] = String(c.grpc);
    if (ctx.informational) {
      headers['grpc-message'] = message;
      headers['l5d-proxy-error'] = message;
      if (c.close) headers['l5d-proxy-connection'] = 'close';
    }
    return { status: 200, headers, close: c.close };
  }
  if (ctx.informational) {
    headers['l5d-proxy-error'] = message;
    if (c.close) headers['l5d-proxy-connection'] = 'close';
  }
  if (c.close && ctx.http1) headers['connection'] = 'close';
  return { status: c.status, headers, close: c.close };
}
