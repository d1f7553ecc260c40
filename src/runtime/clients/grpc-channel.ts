// A small gRPC client (HTTP/2, protobuf framing) for the proxy's control-plane calls: Certify and
// the Destination streams. Why not connect-rpc here: every meshed pod runs this, and connect plus
// the fetch `Headers` it pulls in cost an idle proxy ~6 MiB of RSS (bench/proxy-bench.ts). The
// messages stay protobuf; this module only moves their bytes. The controllers keep connect-rpc.
import http2 from 'node:http2';

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

/** gRPC status codes (grpc/doc/statuscodes.md). */
export const GrpcCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcError';
  }

  /** A failure below gRPC (connection refused, reset, GOAWAY) is UNAVAILABLE, as in grpc-go. */
  static from(err: unknown): GrpcError {
    if (err instanceof GrpcError) return err;
    return new GrpcError(GrpcCode.UNAVAILABLE, err instanceof Error ? err.message : String(err));
  }
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Sent as `grpc-timeout` and enforced locally. */
  timeoutMs?: number;
}

export interface GrpcChannelOptions extends ControlEndpoint {
  /** HTTP/2 PING while calls are open; a PING unanswered within the timeout drops the connection. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** A connection without calls for this long is closed. */
  idleTimeoutMs?: number;
  /** Largest message accepted (gRPC's default receive limit is 4 MiB; endpoint sets can be bigger). */
  maxMessageBytes?: number;
}

const HEADER_BYTES = 5;

/** Prefixes a message with gRPC's 5-byte frame header (uncompressed). */
export function frameMessage(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, HEADER_BYTES);
  return out;
}

/** Splits a byte stream into gRPC messages, whatever the chunk boundaries. */
class MessageDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      if (this.pending[0] !== 0)
        throw new GrpcError(GrpcCode.INTERNAL, 'received a compressed message, but no compression was negotiated');
      const length = this.pending.readUInt32BE(1);
      if (length > this.maxMessageBytes)
        throw new GrpcError(
          GrpcCode.RESOURCE_EXHAUSTED,
          `received message larger than max (${length} vs. ${this.maxMessageBytes})`,
        );
      if (this.pending.length < HEADER_BYTES + length) break;
      messages.push(this.pending.subarray(HEADER_BYTES, HEADER_BYTES + length));
      this.pending = this.pending.subarray(HEADER_BYTES + length);
    }
    return messages;
  }

  get partial(): boolean {
    return this.pending.length > 0;
  }
}

/** The status of a finished call: trailers, or the headers of a trailers-only response. */
function callStatus(headers: http2.IncomingHttpHeaders, trailers: http2.IncomingHttpHeaders | undefined) {
  const source = trailers?.['grpc-status'] !== undefined ? trailers : headers;
  const raw = source['grpc-status'];
  if (raw === undefined) {
    const httpStatus = Number(headers[':status']);
    if (httpStatus !== 200) return { code: httpStatusCode(httpStatus), message: `HTTP status ${httpStatus}` };
    return { code: GrpcCode.INTERNAL, message: 'server closed the stream without sending trailers' };
  }
  const code = Number(raw);
  const message = String(source['grpc-message'] ?? '');
  return {
    code: Number.isInteger(code) && code >= 0 && code <= 16 ? code : GrpcCode.UNKNOWN,
    message: percentDecode(message),
  };
}

/** grpc/doc/http-grpc-status-mapping.md */
function httpStatusCode(status: number): number {
  switch (status) {
    case 400:
      return GrpcCode.INTERNAL;
    case 401:
      return GrpcCode.UNAUTHENTICATED;
    case 403:
      return GrpcCode.PERMISSION_DENIED;
    case 404:
      return GrpcCode.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcCode.UNAVAILABLE;
    default:
      return GrpcCode.UNKNOWN;
  }
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** RST_STREAM codes from the peer, in grpc-go's mapping. */
function resetCode(rstCode: number | undefined): number {
  const { NGHTTP2_REFUSED_STREAM, NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY } =
    http2.constants;
  switch (rstCode) {
    case NGHTTP2_REFUSED_STREAM:
      return GrpcCode.UNAVAILABLE;
    case NGHTTP2_CANCEL:
      return GrpcCode.CANCELLED;
    case NGHTTP2_ENHANCE_YOUR_CALM:
      return GrpcCode.RESOURCE_EXHAUSTED;
    case NGHTTP2_INADEQUATE_SECURITY:
      return GrpcCode.PERMISSION_DENIED;
    default:
      return GrpcCode.INTERNAL;
  }
}

/** One HTTP/2 connection to a control-plane API, re-established on demand. */
export class GrpcChannel {
  private session: http2.ClientHttp2Session | undefined;
  /** Open calls per connection: an old connection (after GOAWAY) may still finish its calls. */
  private readonly calls = new Map<http2.ClientHttp2Session, number>();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: GrpcChannelOptions) {}

  /** A unary call: exactly one response message or a GrpcError. */
  async unary(path: string, request: Uint8Array, options: CallOptions = {}): Promise<Buffer> {
    let response: Buffer | undefined;
    for await (const message of this.serverStream(path, request, options)) {
      if (response !== undefined) throw new GrpcError(GrpcCode.INTERNAL, 'unary call received more than one message');
      response = message;
    }
    if (response === undefined) throw new GrpcError(GrpcCode.INTERNAL, 'unary call received no message');
    return response;
  }

  /** A server-streaming call; ends when the server sends OK, throws a GrpcError otherwise. */
  async *serverStream(path: string, request: Uint8Array, options: CallOptions = {}): AsyncGenerator<Buffer> {
    if (this.closed) throw new GrpcError(GrpcCode.UNAVAILABLE, 'channel closed');
    if (options.signal?.aborted) throw new GrpcError(GrpcCode.CANCELLED, 'call cancelled');
    const session = this.connect();
    const headers: http2.OutgoingHttpHeaders = {
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc+proto',
      te: 'trailers',
      'user-agent': 'l5d-proxy grpc',
    };
    if (options.timeoutMs !== undefined) headers['grpc-timeout'] = `${Math.max(1, Math.ceil(options.timeoutMs))}m`;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers);
    } catch (err) {
      this.forget(session);
      throw GrpcError.from(err);
    }
    this.callStarted(session);
    let ended: GrpcError | undefined;
    const end = (err: GrpcError): void => {
      ended ??= err;
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    };
    const onAbort = (): void => end(new GrpcError(GrpcCode.CANCELLED, 'call cancelled'));
    options.signal?.addEventListener('abort', onAbort);
    const deadline =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => end(new GrpcError(GrpcCode.DEADLINE_EXCEEDED, 'deadline exceeded')), options.timeoutMs);
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    stream.once('response', (h) => (responseHeaders = h));
    stream.once('trailers', (t) => (trailers = t));
    stream.on('error', () => undefined);
    const decoder = new MessageDecoder(this.opts.maxMessageBytes ?? 64 * 1024 * 1024);
    let completed = false;
    try {
      stream.end(frameMessage(request));
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (!hasGrpcBody(responseHeaders)) break;
          for (const message of decoder.push(chunk)) yield message;
        }
      } catch (err) {
        if (ended) throw ended;
        if (err instanceof GrpcError) throw err;
        // A reset stream on a live connection came from the server; a dead connection is UNAVAILABLE.
        if (!session.destroyed && stream.rstCode !== undefined && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR)
          throw new GrpcError(resetCode(stream.rstCode), `stream reset by the server (code ${stream.rstCode})`);
        throw GrpcError.from(err);
      }
      if (ended) throw ended;
      completed = true;
      // A trailers-only response carries its status in the headers, whatever its content-type.
      if (
        responseHeaders['grpc-status'] === undefined &&
        Number(responseHeaders[':status']) === 200 &&
        !hasGrpcBody(responseHeaders)
      )
        throw new GrpcError(GrpcCode.UNKNOWN, `unexpected content-type ${String(responseHeaders['content-type'])}`);
      const status = callStatus(responseHeaders, trailers);
      if (status.code === GrpcCode.OK && decoder.partial)
        throw new GrpcError(GrpcCode.INTERNAL, 'stream ended inside a message');
      if (status.code !== GrpcCode.OK) throw new GrpcError(status.code, status.message);
    } finally {
      if (deadline !== undefined) clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      // A consumer that stopped early, an abort or a deadline: tell the server to stop sending.
      if (!completed && !stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      this.callEnded(session);
    }
  }

  /** Closes the connection; calls in progress fail with UNAVAILABLE. */
  close(): void {
    this.closed = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.session?.destroy();
    this.session = undefined;
  }

  private connect(): http2.ClientHttp2Session {
    const current = this.session;
    if (current !== undefined && !current.closed && !current.destroyed) return current;
    const tls = this.opts.tls;
    const session = http2.connect(
      `${tls === undefined ? 'http' : 'https'}://${this.opts.address}`,
      tls === undefined
        ? {}
        : {
            ca: tls.ca,
            ...(tls.cert === undefined ? {} : { cert: tls.cert }),
            ...(tls.key === undefined ? {} : { key: tls.key }),
            servername: tls.serverName,
            minVersion: 'TLSv1.3',
          },
    );
    // Errors reach the calls through their streams; the channel just reconnects next time.
    session.on('error', () => undefined);
    session.once('goaway', () => this.forget(session));
    session.once('close', () => this.forget(session));
    session.unref();
    this.keepAlive(session);
    this.session = session;
    return session;
  }

  private forget(session: http2.ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }

  private callStarted(session: http2.ClientHttp2Session): void {
    if (session === this.session && this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
    const open = this.calls.get(session) ?? 0;
    // An open call keeps the process alive, as a pending socket read would.
    if (open === 0) session.ref();
    this.calls.set(session, open + 1);
  }

  private callEnded(session: http2.ClientHttp2Session): void {
    const open = (this.calls.get(session) ?? 1) - 1;
    if (open > 0) {
      this.calls.set(session, open);
      return;
    }
    this.calls.delete(session);
    session.unref();
    if (session !== this.session) {
      session.close();
      return;
    }
    this.idleTimer = setTimeout(() => {
      if (!this.calls.has(session) && this.session === session) {
        this.session = undefined;
        session.close();
      }
    }, this.opts.idleTimeoutMs ?? 60_000);
    this.idleTimer.unref();
  }

  private keepAlive(session: http2.ClientHttp2Session): void {
    const interval = this.opts.pingIntervalMs ?? 10_000;
    const timeout = this.opts.pingTimeoutMs ?? 3_000;
    const timer = setInterval(() => {
      if (!this.calls.has(session) || session.destroyed || session.connecting) return;
      const overdue = setTimeout(() => session.destroy(new Error('keepalive ping timed out')), timeout);
      overdue.unref();
      try {
        session.ping(() => clearTimeout(overdue));
      } catch {
        clearTimeout(overdue);
      }
    }, interval);
    timer.unref();
    session.once('close', () => clearInterval(timer));
  }
}

function hasGrpcBody(headers: http2.IncomingHttpHeaders): boolean {
  return Number(headers[':status']) === 200 && String(headers['content-type'] ?? '').startsWith('application/grpc');
}
