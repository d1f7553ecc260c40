// The outbound stack (spec proxy §3.2): connections the application opened, redirected to 4140.
import http from 'node:http';
import type http2 from 'node:http2';
import net from 'node:net';
import type { Discovery } from '../discovery/discovery.js';
import { forwardableHeaders, hasBody } from '../http/headers.js';
import { DialAgent } from '../http/dial-agent.js';
import { ConnectionLostError, NotSentError, mayResend, relayH1Response, sendH1, toProxyError } from '../http/h1.js';
import type { H2Runtime } from '../http/h2-runtime.js';
import { createProxyH1Server } from '../http/h1-server.js';
import { LazyH2Server } from '../http/h2-server.js';
import type { Logger } from '../log.js';
import {
  type ProxyMetrics,
  clientTlsLabels,
  dstLabels,
  serverTlsLabels,
  targetLabels,
} from '../metrics/proxy-metrics.js';
import { renderLabels } from '../metrics/registry.js';
import { whenEstablished } from '../net/established.js';
import { formatHostPort } from '../../shared/listen.js';
import { acceptedDestination } from '../net/accepted.js';
import { pipeBoth } from '../net/pipe.js';
import { readPrefix } from '../net/read-prefix.js';
import { detectHttp } from '../protocol/detect-http.js';
import { ProxyError, errorClass, isGrpcRequest, synthesizeError } from '../protocol/errors.js';
import { Balancer, type EndpointState } from './balancer.js';
import { type DialContext, clientTlsOf, dialEndpoint, plainConnect } from './dial.js';

export interface OutboundOptions {
  detectTimeoutMs: number;
  failfastMs: number;
  maxInFlight: number;
  informationalHeaders: boolean;
  discoveryIdleMs: number;
}

interface Target {
  balancer: Balancer;
  refs: number;
  lastUsed: number;
}

const DROP_FROM_PEER = ['l5d-proxy-error', 'l5d-proxy-connection'];
/** Attempts per connection (TCP) or request (HTTP/1) when the peer was not reached or was lost. */
const MAX_SEND_ATTEMPTS = 3;

export class Outbound {
  private readonly targets = new Map<string, Target>();
  private readonly h1Server: http.Server;
  private readonly h2Server = new LazyH2Server<Target>((rt, stream, headers, target) =>
    this.onH2Stream(rt, stream, headers, target),
  );
  private readonly h1Targets = new WeakMap<net.Socket, Target>();
  private inFlight = 0;
  private readonly evictTimer: NodeJS.Timeout;
  private draining = false;

  constructor(
    private readonly options: OutboundOptions,
    private readonly discovery: Discovery,
    private readonly dial: DialContext,
    private readonly metrics: ProxyMetrics,
    private readonly log: Logger,
  ) {
    this.h1Server = createProxyH1Server((req, res) => void this.onH1Request(req, res));
    this.evictTimer = setInterval(() => this.evictIdle(), options.discoveryIdleMs).unref();
  }

  private target(authority: string): Target {
    let t = this.targets.get(authority);
    if (!t) {
      const balancer = new Balancer(authority, this.discovery.watch(authority), {
        failfastMs: this.options.failfastMs,
        decorate: (s, setLabels) => this.decorate(authority, s, setLabels),
      });
      t = { balancer, refs: 0, lastUsed: Date.now() };
      this.targets.set(authority, t);
    }
    t.refs++;
    t.lastUsed = Date.now();
    return t;
  }

  private decorate(authority: string, s: EndpointState, setLabels: Record<string, string>): void {
    const ep = s.endpoint;
    const rest = [
      ['authority', authority] as const,
      ...targetLabels(ep.address, ep.port),
      ...clientTlsLabels(clientTlsOf(ep, this.dial)),
      ...dstLabels({ ...setLabels, ...ep.labels }),
    ];
    s.requestKey = renderLabels([['direction', 'outbound'], ...rest]);
    s.transportKey = renderLabels([['direction', 'outbound'], ['peer', 'dst'], ...rest]);
  }

  private evictIdle(): void {
    const now = Date.now();
    for (const [authority, t] of this.targets) {
      if (t.refs === 0 && now - t.lastUsed >= this.options.discoveryIdleMs) {
        t.balancer.close();
        this.targets.delete(authority);
      }
    }
  }

  /** Handles one accepted (paused) connection. */
  async accept(socket: net.Socket): Promise<void> {
    const dst = acceptedDestination(socket, this.log, 'linkerd_app_outbound');
    if (!dst) return;
    const acceptKey = renderLabels([
      ['direction', 'outbound'],
      ['peer', 'src'],
      ...targetLabels(dst.ip, dst.port),
      ...serverTlsLabels({ tls: 'no_identity', reason: 'loopback' }),
    ]);
    this.metrics.tcpOpen(acceptKey);
    let errno: string | undefined;
    socket.once('error', (e: NodeJS.ErrnoException) => (errno ??= e.code));
    socket.once('close', () => this.metrics.tcpClose(acceptKey, socket.bytesRead, socket.bytesWritten, errno));
    if (/^(127\.|::1$|::ffff:127\.)/.test(dst.ip)) {
      this.log.debug('linkerd_app_outbound', 'Outbound proxy cannot initiate connections on the loopback interface');
      socket.destroy();
      return;
    }
    const target = this.target(formatHostPort(dst.ip, dst.port));
    socket.once('close', () => {
      target.refs--;
      target.lastUsed = Date.now();
    });
    const resolution = await target.balancer.resolved();
    if (resolution.kind === 'unknown') {
      await this.forwardUnknown(socket, dst.ip, dst.port);
      return;
    }
    if (resolution.opaque) {
      await this.forwardTcp(socket, target);
      return;
    }
    const prefix = await readPrefix(socket, this.options.detectTimeoutMs, () => true, 1024);
    if (prefix.kind === 'closed' && prefix.buf.length === 0) {
      socket.destroy();
      return;
    }
    const proto = prefix.kind === 'timeout' ? 'not_http' : detectHttp(prefix.buf);
    this.metrics.detectResults.outbound.inc(`result="${prefix.kind === 'timeout' ? 'read_timeout' : proto}"`);
    if (proto === 'http1') {
      this.h1Targets.set(socket, target);
      this.h1Server.emit('connection', socket);
      socket.resume();
    } else if (proto === 'h2') {
      await this.h2Server.serve(socket, target);
    } else {
      await this.forwardTcp(socket, target);
    }
  }

  private async forwardUnknown(socket: net.Socket, ip: string, port: number): Promise<void> {
    const key = renderLabels([
      ['direction', 'outbound'],
      ['peer', 'dst'],
      ...targetLabels(ip, port),
      ...clientTlsLabels({ tls: 'no_identity', reason: 'not_provided_by_service_discovery' }),
    ]);
    const upstream = plainConnect(ip, port, this.dial.connectTimeoutMs);
    this.metrics.tcpOpen(key);
    const errno = await pipeBoth(socket, upstream);
    this.metrics.tcpClose(key, upstream.bytesRead, upstream.bytesWritten, errno);
  }

  /** Opaque TCP to a balanced endpoint; retries endpoints that refuse before any byte is sent. */
  private async forwardTcp(socket: net.Socket, target: Target): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let ep: EndpointState;
      try {
        ep = await target.balancer.pick();
      } catch {
        socket.destroy();
        return;
      }
      const upstream = dialEndpoint(ep.endpoint, undefined, this.dial);
      const ok = await new Promise<boolean>((resolve) => {
        whenEstablished(upstream, () => resolve(true));
        upstream.once('error', () => resolve(false));
      });
      if (!ok) {
        ep.connectFailed();
        upstream.destroy();
        if (attempt < MAX_SEND_ATTEMPTS && !socket.destroyed) continue;
        socket.destroy();
        return;
      }
      ep.connected();
      this.metrics.tcpOpen(ep.transportKey);
      ep.ewma.pending++;
      const errno = await pipeBoth(socket, upstream);
      ep.ewma.pending--;
      this.metrics.tcpClose(ep.transportKey, upstream.bytesRead, upstream.bytesWritten, errno);
      return;
    }
  }

  private h1Agent(ep: EndpointState): http.Agent {
    ep.h1Agent ??= new DialAgent(() => {
      const s = dialEndpoint(ep.endpoint, 'http1', this.dial);
      whenEstablished(s, () => {
        this.metrics.tcpOpen(ep.transportKey);
        let errno: string | undefined;
        s.once('error', (e: NodeJS.ErrnoException) => (errno ??= e.code));
        s.once('close', () => this.metrics.tcpClose(ep.transportKey, s.bytesRead, s.bytesWritten, errno));
      });
      return s;
    });
    return ep.h1Agent;
  }

  private async onH1Request(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const target = this.h1Targets.get(req.socket);
    if (!target) {
      res.destroy();
      return;
    }
    const started = performance.now();
    if (this.draining) res.shouldKeepAlive = false;
    if (this.inFlight >= this.options.maxInFlight) {
      this.respondError(res, new ProxyError('loadshed', 'service unavailable'), false);
      return;
    }
    this.inFlight++;
    try {
      const headers = forwardableHeaders(req.headers, ['l5d-require-id']);
      const bodyless = !hasBody(req.headers);
      for (let attempt = 1; ; attempt++) {
        let ep: EndpointState;
        try {
          ep = await target.balancer.pick();
        } catch (err) {
          this.respondError(res, toProxyError(err, true), false);
          return;
        }
        const unmet = unmetIdentityRequirement(req.headers['l5d-require-id'], ep);
        if (unmet) {
          this.respondError(res, unmet, false);
          return;
        }
        ep.ewma.pending++;
        let upRes: http.IncomingMessage;
        try {
          upRes = await sendH1(req, this.h1Agent(ep), ep.endpoint.address, ep.endpoint.port, headers, bodyless);
        } catch (err) {
          ep.ewma.pending--;
          const e = toProxyError(err, true);
          // Refused or dropped: reconnect backoff, so a retry skips the other (maybe equally dead)
          // pooled connections to this endpoint.
          if (err instanceof NotSentError || err instanceof ConnectionLostError) ep.connectFailed();
          if (attempt < MAX_SEND_ATTEMPTS && mayResend(err, req.method, bodyless)) continue;
          ep.breaker?.record(false);
          this.metrics.request(ep.requestKey);
          this.metrics.response(
            ep.requestKey,
            {
              statusCode: undefined,
              grpcStatus: undefined,
              error: e.kind === 'connect_timeout' ? 'timeout' : 'unclassified',
            },
            performance.now() - started,
          );
          this.respondError(res, e, false);
          return;
        }
        ep.connected();
        const firstByteMs = performance.now() - started;
        this.metrics.request(ep.requestKey);
        const peerError = upRes.headers['l5d-proxy-error'];
        if (peerError) this.log.debug('linkerd_app_outbound', 'peer proxy error', { error: String(peerError) });
        const error = await relayH1Response(upRes, res, DROP_FROM_PEER);
        ep.ewma.pending--;
        const status = upRes.statusCode ?? 0;
        target.balancer.record(ep, status < 500 && !error, firstByteMs);
        this.metrics.response(
          ep.requestKey,
          { statusCode: status, grpcStatus: undefined, error },
          performance.now() - started,
        );
        return;
      }
    } finally {
      this.inFlight--;
    }
  }

  /**
   * The endpoint's HTTP/2 session. The connection is established (and the transport header
   * flushed) before http2 takes the socket over: http2 writes to the native handle directly,
   * which must not race a pending JS-level write.
   */
  private async h2Session(rt: H2Runtime, ep: EndpointState): Promise<http2.ClientHttp2Session> {
    const existing = ep.h2Session;
    if (existing && !existing.closed && !existing.destroyed) return existing;
    ep.h2Connecting ??= this.connectH2(rt, ep).finally(() => (ep.h2Connecting = undefined));
    return ep.h2Connecting;
  }

  private async connectH2(rt: H2Runtime, ep: EndpointState): Promise<http2.ClientHttp2Session> {
    const socket = dialEndpoint(ep.endpoint, 'http2', this.dial);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      whenEstablished(socket, () => {
        // An empty write resolves once everything queued before it (the header) is flushed.
        socket.write(Buffer.alloc(0), () => {
          socket.off('error', reject);
          resolve();
        });
      });
    }).catch((err: unknown) => {
      ep.connectFailed();
      socket.destroy();
      throw toProxyError(err, false);
    });
    ep.connected();
    this.metrics.tcpOpen(ep.transportKey);
    socket.once('close', () =>
      this.metrics.tcpClose(ep.transportKey, socket.bytesRead, socket.bytesWritten, undefined),
    );
    const session = rt.http2.connect(`http://${ep.endpoint.address}`, { createConnection: () => socket });
    session.on('error', () => undefined);
    const forget = (): void => {
      if (ep.h2Session === session) ep.h2Session = undefined;
    };
    session.once('goaway', forget);
    session.once('close', forget);
    ep.h2Session = session;
    return session;
  }

  private async onH2Stream(
    rt: H2Runtime,
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    target: Target,
  ): Promise<void> {
    const grpc = isGrpcRequest(2, headers['content-type']);
    const started = performance.now();
    let ep: EndpointState;
    try {
      ep = await target.balancer.pick();
    } catch (err) {
      this.respondH2Error(rt, stream, toProxyError(err, true), grpc);
      return;
    }
    const unmet = unmetIdentityRequirement(headers['l5d-require-id'], ep);
    if (unmet) {
      this.respondH2Error(rt, stream, unmet, grpc);
      return;
    }
    ep.ewma.pending++;
    this.metrics.request(ep.requestKey);
    try {
      const { upstream, headers: resHeaders } = await rt.sendH2(
        await this.h2Session(rt, ep),
        rt.forwardableH2Headers(headers, ['l5d-require-id']),
        stream,
      );
      const firstByteMs = performance.now() - started;
      const outcome = await rt.relayH2Response(upstream, resHeaders, stream, DROP_FROM_PEER);
      const success =
        outcome.grpcStatus !== undefined ? ![2, 4, 7, 13, 14, 15].includes(outcome.grpcStatus) : outcome.status < 500;
      target.balancer.record(ep, success && !outcome.error, firstByteMs);
      this.metrics.response(
        ep.requestKey,
        { statusCode: outcome.status, grpcStatus: outcome.grpcStatus, error: outcome.error },
        performance.now() - started,
      );
    } catch (err) {
      const e = toProxyError(err, true);
      ep.breaker?.record(false);
      this.metrics.response(
        ep.requestKey,
        { statusCode: undefined, grpcStatus: undefined, error: 'unclassified' },
        performance.now() - started,
      );
      this.respondH2Error(rt, stream, e, grpc);
    } finally {
      ep.ewma.pending--;
    }
  }

  private respondError(res: http.ServerResponse, err: ProxyError, grpc: boolean): void {
    this.metrics.httpErrors.outbound.inc(`error="${errorClass(err.kind).metric}"`);
    const r = synthesizeError(err, { grpc, informational: this.options.informationalHeaders, http1: true });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(r.status, r.headers);
    res.end();
    if (r.close) res.once('finish', () => res.socket?.end());
  }

  private respondH2Error(rt: H2Runtime, stream: http2.ServerHttp2Stream, err: ProxyError, grpc: boolean): void {
    this.metrics.httpErrors.outbound.inc(`error="${errorClass(err.kind).metric}"`);
    if (stream.destroyed || stream.headersSent) {
      stream.close(rt.http2.constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    const r = synthesizeError(err, { grpc, informational: this.options.informationalHeaders, http1: false });
    stream.respond({ ':status': r.status, ...r.headers }, { endStream: true });
  }

  /** Stops keep-alive on HTTP/1 and sends GOAWAY on HTTP/2 (spec proxy §9.1). */
  drain(): void {
    this.draining = true;
    this.h1Server.closeIdleConnections();
    this.h2Server.drain();
    clearInterval(this.evictTimer);
  }

  close(): void {
    for (const t of this.targets.values()) t.balancer.close();
    this.targets.clear();
  }
}

/**
 * `l5d-require-id` (spec proxy §3.7) on every protocol: the request may only go to an endpoint
 * whose mTLS identity is the one named, and is failed before any byte is sent otherwise.
 */
function unmetIdentityRequirement(header: string | string[] | undefined, ep: EndpointState): ProxyError | undefined {
  const required = Array.isArray(header) ? header[0] : header;
  if (required === undefined || required === ep.endpoint.tlsIdentity) return undefined;
  return new ProxyError('identity_required', `required id ${required}; found ${ep.endpoint.tlsIdentity ?? 'none'}`);
}
