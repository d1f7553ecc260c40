// The HTTP/2 side of a proxy listener: one node:http2 server, created with the first HTTP/2
// connection (see h2-runtime.ts), that is handed already-accepted connections. Each connection
// carries what it was accepted for (the inbound's policy context, the outbound's target), and the
// server's streams are dispatched with it.
import type http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { type H2Runtime, loadH2 } from './h2-runtime.js';

export type H2StreamHandler<Conn> = (
  rt: H2Runtime,
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  conn: Conn,
) => Promise<void>;

export class LazyH2Server<Conn> {
  private h2: { rt: H2Runtime; server: http2.Http2Server } | undefined;
  private readonly conns = new WeakMap<http2.ServerHttp2Session, Conn>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private pending: Conn | undefined;

  constructor(private readonly onStream: H2StreamHandler<Conn>) {}

  async serve(connection: Duplex, conn: Conn): Promise<void> {
    const { server } = await this.stack();
    // The connection was detected as HTTP/2 by its preface. Over TLS without ALPN (a control-plane
    // client of a meshed controller, or any prior-knowledge h2 client), node:http2 would take the
    // missing ALPN for HTTP/1.1 and answer `403 Forbidden` instead of serving the session.
    const tlsSocket = connection as Duplex & { alpnProtocol?: string | false };
    if (tlsSocket.alpnProtocol === false) tlsSocket.alpnProtocol = 'h2';
    // The server creates the session synchronously on 'connection'.
    this.pending = conn;
    server.emit('connection', connection);
    this.pending = undefined;
  }

  /** Sends GOAWAY on every open session (spec proxy §9.1). */
  drain(): void {
    for (const s of this.sessions) s.close();
  }

  private async stack(): Promise<{ rt: H2Runtime; server: http2.Http2Server }> {
    if (this.h2) return this.h2;
    const rt = await loadH2();
    if (this.h2) return this.h2;
    const server = rt.http2.createServer({});
    server.on('session', (session) => {
      if (this.pending) this.conns.set(session, this.pending);
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    server.on('stream', (stream, headers) => void this.dispatch(rt, stream, headers));
    this.h2 = { rt, server };
    return this.h2;
  }

  private async dispatch(
    rt: H2Runtime,
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
  ): Promise<void> {
    const conn = this.conns.get(stream.session as http2.ServerHttp2Session);
    stream.on('error', () => undefined);
    if (!conn) return void stream.close(rt.http2.constants.NGHTTP2_REFUSED_STREAM);
    await this.onStream(rt, stream, headers, conn);
  }
}
