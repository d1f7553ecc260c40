// The inbound stack (spec proxy §3.1, §3.4): connections redirected to 4143 and direct
// opaque-transport connections from peer proxies.
import http from 'node:http';
import type http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { DefaultPolicy } from '../config/config.js';
import { type Cidr, inPortRanges, unmapIp } from '../config/formats.js';
import { defaultPolicyAllows } from './default-policy.js';
import { DialAgent } from '../http/dial-agent.js';
import { forwardableHeaders, hasBody } from '../http/headers.js';
import { relayH1Response, sendH1, toProxyError } from '../http/h1.js';
import { type DowngradedRequest, ORIG_PROTO, downgradeRequest, upgradeResponseHeaders } from '../http/orig-proto.js';
import type { H2Runtime } from '../http/h2-runtime.js';
import { LazyH2Server } from '../http/h2-server.js';
import type { Logger } from '../log.js';
import { type ProxyMetrics, type ServerTls, serverTlsLabels, targetLabels } from '../metrics/proxy-metrics.js';
import { type Labels, renderLabels } from '../metrics/registry.js';
import { formatHostPort } from '../../shared/listen.js';
import { acceptedDestination } from '../net/accepted.js';
import { pipeBoth } from '../net/pipe.js';
import { readPrefix } from '../net/read-prefix.js';
import { parseClientHello } from '../protocol/client-hello.js';
import { detectHttp } from '../protocol/detect-http.js';
import { ProxyError, errorClass, isGrpcRequest, synthesizeError } from '../protocol/errors.js';
import { MAX_HEADER_BUFFER, type TransportHeader, decodeTransportHeader } from '../protocol/transport-header.js';
import type { MeshTls } from '../tls/mesh-tls.js';
import { createProxyH1Server } from '../http/h1-server.js';
import { plainConnect } from '../outbound/dial.js';

export interface InboundOptions {
  listenPort: number;
  localName: string;
  inboundIps: readonly string[];
  opaquePorts: ReadonlyArray<readonly [number, number]>;
  detectTimeoutMs: number;
  connectTimeoutMs: number;
  maxInFlight: number;
  defaultPolicy: DefaultPolicy;
  clusterNetworks: readonly Cidr[];
}

/** Where requests of one inbound connection go and how they are labelled. */
interface ConnContext {
  appIp: string;
  appPort: number;
  clientId: string | undefined;
  allowed: boolean;
  requestKey: string;
}

const TLS_PEEK_MAX = 8192;

export class Inbound {
  private readonly h1Server: http.Server;
  private readonly h2Server = new LazyH2Server<ConnContext>((rt, stream, headers, ctx) =>
    this.onH2Stream(rt, stream, headers, ctx),
  );
  private readonly h1Contexts = new WeakMap<Duplex, ConnContext>();
  private readonly agents = new Map<string, http.Agent>();
  private readonly appSessions = new Map<string, http2.ClientHttp2Session>();
  private inFlight = 0;
  private draining = false;
  /** Default-policy authorization of each accepted (or TLS-terminated) stream. */
  private readonly authz = new WeakMap<Duplex, boolean>();

  constructor(
    private readonly options: InboundOptions,
    private readonly mesh: MeshTls,
    private readonly metrics: ProxyMetrics,
    private readonly log: Logger,
  ) {
    this.h1Server = createProxyH1Server((req, res) => void this.onH1Request(req, res));
  }

  private policyLabels(port: number): Labels {
    const p = this.options.defaultPolicy;
    return [
      ['srv_group', ''],
      ['srv_kind', 'default'],
      ['srv_name', p],
      ['srv_port', String(port)],
    ];
  }

  async accept(socket: net.Socket): Promise<void> {
    const dst = acceptedDestination(socket, this.log, 'linkerd_app_inbound');
    if (!dst) return;
    const dstIp = unmapIp(dst.ip);
    if (this.options.inboundIps.length > 0 && !this.options.inboundIps.includes(dstIp)) {
      socket.destroy();
      return;
    }
    const direct = dst.port === this.options.listenPort;
    const clientIp = unmapIp(socket.remoteAddress ?? '');
    const authorize = (stream: Duplex, id: string | undefined): void =>
      void this.authz.set(
        stream,
        defaultPolicyAllows(this.options.defaultPolicy, { ip: clientIp, id }, this.options.clusterNetworks),
      );
    authorize(socket, undefined);
    let tlsState: ServerTls = { tls: 'no_identity', reason: 'no_tls_from_remote' };
    const transportKey = (): string =>
      renderLabels([
        ['direction', 'inbound'],
        ['peer', 'src'],
        ...targetLabels(dstIp, dst.port),
        ...serverTlsLabels(tlsState),
      ]);
    let openedKey: string | undefined;
    const open = (): void => {
      openedKey = transportKey();
      this.metrics.tcpOpen(openedKey);
    };
    let errno: string | undefined;
    socket.once('error', (e: NodeJS.ErrnoException) => (errno ??= e.code));
    socket.once('close', () => {
      if (openedKey) this.metrics.tcpClose(openedKey, socket.bytesRead, socket.bytesWritten, errno);
    });

    if (!direct && inPortRanges(this.options.opaquePorts, dst.port)) {
      tlsState = { tls: 'no_identity', reason: 'port_skipped' };
      open();
      await this.forwardTcp(socket, dstIp, dst.port);
      return;
    }
    const hello = await readPrefix(
      socket,
      this.options.detectTimeoutMs,
      (b) => parseClientHello(b).kind !== 'incomplete',
      TLS_PEEK_MAX,
    );
    if (hello.kind === 'timeout') {
      this.metrics.httpErrors.inbound.inc('error="tls detection timeout"');
      socket.destroy();
      return;
    }
    const parsed = parseClientHello(hello.buf);
    if (parsed.kind === 'client_hello' && parsed.sni !== this.options.localName) {
      if (direct) return void socket.destroy();
      tlsState = { tls: 'opaque', sni: parsed.sni ?? '' };
      open();
      await this.forwardTcp(socket, dstIp, dst.port);
      return;
    }
    if (parsed.kind !== 'client_hello') {
      if (direct) {
        this.log.debug('linkerd_app_inbound', 'direct connections must be mutually authenticated');
        socket.destroy();
        return;
      }
      open();
      await this.serveDetected(socket, dstIp, dst.port, undefined);
      return;
    }
    let session: Duplex;
    let clientId: string | undefined;
    try {
      const accepted = await this.mesh.accept(socket, direct);
      session = accepted.tls;
      clientId = accepted.clientId;
      session.on('error', () => undefined);
    } catch (err) {
      this.log.debug('linkerd_app_inbound', 'TLS handshake failed', { error: (err as Error).message });
      socket.destroy();
      return;
    }
    tlsState = { tls: 'true', clientId: clientId ?? '' };
    authorize(session, clientId);
    open();
    if (!direct) {
      await this.serveDetected(session, dstIp, dst.port, clientId);
      return;
    }
    if (clientId === undefined) {
      this.log.debug('linkerd_app_inbound', 'direct connections must be mutually authenticated');
      session.destroy();
      return;
    }
    const header = await this.readTransportHeader(session);
    if (!header) return;
    if (header.name !== undefined) {
      // The inbound gateway is not enabled (no INBOUND_GATEWAY_SUFFIXES support).
      session.destroy();
      return;
    }
    const appIp = unmapIp(socket.localAddress ?? dstIp);
    if (header.sessionProtocol === 'http1') this.serveH1(session, appIp, header.port, clientId);
    else if (header.sessionProtocol === 'http2') await this.serveH2(session, appIp, header.port, clientId);
    else await this.forwardTcp(session, appIp, header.port);
  }

  private async readTransportHeader(session: Duplex): Promise<TransportHeader | undefined> {
    const read = await readPrefix(
      session,
      this.options.detectTimeoutMs,
      (b) => decodeTransportHeader(b).kind !== 'incomplete',
      MAX_HEADER_BUFFER,
    );
    const decoded = decodeTransportHeader(read.buf);
    if (decoded.kind !== 'header') {
      this.log.debug('linkerd_app_inbound', 'invalid transport header', {
        reason: decoded.kind === 'invalid' ? decoded.reason : read.kind,
      });
      session.destroy();
      return undefined;
    }
    // readPrefix put everything back; drop the header itself.
    session.read(decoded.consumed);
    return decoded.header;
  }

  private async serveDetected(stream: Duplex, ip: string, port: number, clientId: string | undefined): Promise<void> {
    const first = await readPrefix(stream, this.options.detectTimeoutMs, () => true, 1024);
    const proto = first.kind === 'timeout' ? 'not_http' : detectHttp(first.buf);
    this.metrics.detectResults.inbound.inc(`result="${first.kind === 'timeout' ? 'read_timeout' : proto}"`);
    if (first.kind === 'closed' && first.buf.length === 0) return void stream.destroy();
    if (proto === 'http1') this.serveH1(stream, ip, port, clientId);
    else if (proto === 'h2') await this.serveH2(stream, ip, port, clientId);
    else await this.forwardTcp(stream, ip, port);
  }

  private context(stream: Duplex, ip: string, port: number, clientId: string | undefined): ConnContext {
    const tls: ServerTls =
      clientId !== undefined ? { tls: 'true', clientId } : { tls: 'no_identity', reason: 'no_tls_from_remote' };
    const requestKey = renderLabels([
      ['direction', 'inbound'],
      ...targetLabels(ip, port),
      ...serverTlsLabels(tls),
      ...this.policyLabels(port),
      ['route_group', ''],
      ['route_kind', 'default'],
      ['route_name', 'default'],
      ['authz_group', ''],
      ['authz_kind', 'default'],
      ['authz_name', this.options.defaultPolicy],
    ]);
    return { appIp: ip, appPort: port, clientId, allowed: this.authz.get(stream) ?? false, requestKey };
  }

  private serveH1(stream: Duplex, ip: string, port: number, clientId: string | undefined): void {
    this.h1Contexts.set(stream, this.context(stream, ip, port, clientId));
    this.h1Server.emit('connection', stream);
    stream.resume();
  }

  private async serveH2(stream: Duplex, ip: string, port: number, clientId: string | undefined): Promise<void> {
    await this.h2Server.serve(stream, this.context(stream, ip, port, clientId));
  }

  private appTransportKey(ip: string, port: number): string {
    return renderLabels([
      ['direction', 'inbound'],
      ['peer', 'dst'],
      ...targetLabels(ip, port),
      ...serverTlsLabels({ tls: 'no_identity', reason: 'loopback' }),
    ]);
  }

  private connectApp(ip: string, port: number): net.Socket {
    if (port === this.options.listenPort) {
      const s = new net.Socket();
      process.nextTick(() => s.destroy(new Error(`inbound connection must not target port ${port}`)));
      return s;
    }
    const key = this.appTransportKey(ip, port);
    const s = plainConnect(ip, port, this.options.connectTimeoutMs);
    s.once('connect', () => {
      this.metrics.tcpOpen(key);
      let errno: string | undefined;
      s.once('error', (e: NodeJS.ErrnoException) => (errno ??= e.code));
      s.once('close', () => this.metrics.tcpClose(key, s.bytesRead, s.bytesWritten, errno));
    });
    return s;
  }

  private async forwardTcp(stream: Duplex, ip: string, port: number): Promise<void> {
    if (!(this.authz.get(stream) ?? false)) {
      this.metrics.tcpAuthzDeny.inc(renderLabels([...targetLabels(ip, port), ...this.policyLabels(port)]));
      stream.destroy();
      return;
    }
    const upstream = this.connectApp(ip, port);
    await pipeBoth(stream as net.Socket, upstream);
  }

  private agent(ip: string, port: number): http.Agent {
    const key = formatHostPort(ip, port);
    let a = this.agents.get(key);
    if (!a) {
      a = new DialAgent(() => this.connectApp(ip, port));
      this.agents.set(key, a);
    }
    return a;
  }

  private async onH1Request(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const ctx = this.h1Contexts.get(req.socket);
    if (!ctx) return void res.destroy();
    const started = performance.now();
    if (this.draining) res.shouldKeepAlive = false;
    this.metrics.request(ctx.requestKey);
    if (!ctx.allowed) {
      this.respondError(
        res,
        new ProxyError('unauthorized', `unauthorized connection on server ${this.options.defaultPolicy}`),
        ctx,
        started,
      );
      return;
    }
    if (this.inFlight >= this.options.maxInFlight) {
      this.respondError(res, new ProxyError('loadshed', 'service unavailable'), ctx, started);
      return;
    }
    this.inFlight++;
    try {
      const headers = forwardableHeaders(req.headers, ['l5d-client-id']);
      if (ctx.clientId !== undefined) headers['l5d-client-id'] = ctx.clientId;
      let upRes: http.IncomingMessage;
      try {
        upRes = await sendH1(
          req,
          this.agent(ctx.appIp, ctx.appPort),
          ctx.appIp,
          ctx.appPort,
          headers,
          !hasBody(req.headers),
        );
      } catch (err) {
        this.respondError(res, toProxyError(err, true), ctx, started);
        return;
      }
      const error = await relayH1Response(upRes, res, []);
      this.metrics.response(
        ctx.requestKey,
        { statusCode: upRes.statusCode, grpcStatus: undefined, error },
        performance.now() - started,
      );
    } finally {
      this.inFlight--;
    }
  }

  private respondError(res: http.ServerResponse, err: ProxyError, ctx: ConnContext, started: number): void {
    this.metrics.httpErrors.inbound.inc(`error="${errorClass(err.kind).metric}"`);
    const r = synthesizeError(err, { grpc: false, informational: ctx.clientId !== undefined, http1: true });
    this.metrics.response(
      ctx.requestKey,
      { statusCode: r.status, grpcStatus: undefined, error: undefined },
      performance.now() - started,
    );
    if (res.headersSent) return void res.destroy();
    res.writeHead(r.status, r.headers);
    res.end();
  }

  private appSession(rt: H2Runtime, ip: string, port: number): http2.ClientHttp2Session {
    const key = formatHostPort(ip, port);
    const existing = this.appSessions.get(key);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = rt.http2.connect(`http://${key}`, { createConnection: () => this.connectApp(ip, port) });
    session.on('error', () => undefined);
    const forget = (): void => {
      if (this.appSessions.get(key) === session) this.appSessions.delete(key);
    };
    session.once('close', forget);
    session.once('goaway', forget);
    this.appSessions.set(key, session);
    return session;
  }

  private async onH2Stream(
    rt: H2Runtime,
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    ctx: ConnContext,
  ): Promise<void> {
    const started = performance.now();
    const grpc = isGrpcRequest(2, headers['content-type']);
    this.metrics.request(ctx.requestKey);
    if (!ctx.allowed) {
      const r = synthesizeError(
        new ProxyError('unauthorized', `unauthorized connection on server ${this.options.defaultPolicy}`),
        {
          grpc,
          informational: ctx.clientId !== undefined,
          http1: false,
        },
      );
      this.metrics.response(
        ctx.requestKey,
        { statusCode: r.status, grpcStatus: grpc ? Number(r.headers['grpc-status']) : undefined, error: undefined },
        performance.now() - started,
      );
      if (!stream.destroyed) stream.respond({ ':status': r.status, ...r.headers }, { endStream: true });
      return;
    }
    const downgraded = downgradeRequest(headers);
    if (downgraded) {
      await this.forwardDowngraded(stream, downgraded, ctx, started);
      return;
    }
    const out = rt.forwardableH2Headers(headers, ['l5d-client-id']);
    if (ctx.clientId !== undefined) out['l5d-client-id'] = ctx.clientId;
    try {
      const { upstream, headers: resHeaders } = await rt.sendH2(
        this.appSession(rt, ctx.appIp, ctx.appPort),
        out,
        stream,
      );
      const o = await rt.relayH2Response(upstream, resHeaders, stream, []);
      this.metrics.response(
        ctx.requestKey,
        { statusCode: o.status, grpcStatus: o.grpcStatus, error: o.error },
        performance.now() - started,
      );
    } catch (err) {
      const e = toProxyError(err, true);
      this.metrics.httpErrors.inbound.inc(`error="${errorClass(e.kind).metric}"`);
      const r = synthesizeError(e, { grpc, informational: ctx.clientId !== undefined, http1: false });
      this.metrics.response(
        ctx.requestKey,
        { statusCode: r.status, grpcStatus: grpc ? Number(r.headers['grpc-status']) : undefined, error: undefined },
        performance.now() - started,
      );
      if (!stream.destroyed && !stream.headersSent)
        stream.respond({ ':status': r.status, ...r.headers }, { endStream: true });
    }
  }

  /** An upgraded HTTP/1 request from a peer proxy, sent to the app as HTTP/1 (spec §3.5). */
  private async forwardDowngraded(
    stream: http2.ServerHttp2Stream,
    d: DowngradedRequest,
    ctx: ConnContext,
    started: number,
  ): Promise<void> {
    delete d.headers['l5d-client-id'];
    if (ctx.clientId !== undefined) d.headers['l5d-client-id'] = ctx.clientId;
    const outcome = await new Promise<{ status: number | undefined; error: string | undefined }>((resolve) => {
      const req = http.request({
        agent: this.agent(ctx.appIp, ctx.appPort),
        host: ctx.appIp,
        port: ctx.appPort,
        method: d.method,
        path: d.path,
        headers: d.headers,
        setHost: false,
      });
      req.once('response', (res) => {
        if (stream.destroyed) {
          res.destroy();
          return resolve({ status: res.statusCode, error: 'unclassified' });
        }
        stream.respond(upgradeResponseHeaders(res.statusCode ?? 502, res.headers, d.version));
        res.pipe(stream);
        stream.once('close', () =>
          resolve({ status: res.statusCode, error: stream.rstCode === 0 ? undefined : 'unclassified' }),
        );
      });
      req.once('error', (err) => {
        const e = toProxyError(err, true);
        const r = synthesizeError(e, { grpc: false, informational: ctx.clientId !== undefined, http1: false });
        if (!stream.destroyed && !stream.headersSent)
          stream.respond({ ':status': r.status, ...r.headers, [ORIG_PROTO]: d.version }, { endStream: true });
        resolve({ status: r.status, error: undefined });
      });
      stream.pipe(req);
    });
    this.metrics.response(
      ctx.requestKey,
      { statusCode: outcome.status, grpcStatus: undefined, error: outcome.error },
      performance.now() - started,
    );
  }

  drain(): void {
    this.draining = true;
    this.h1Server.closeIdleConnections();
    this.h2Server.drain();
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    for (const s of this.appSessions.values()) s.close();
  }
}
