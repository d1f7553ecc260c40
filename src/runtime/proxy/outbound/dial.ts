// Opens the connection to an endpoint: mTLS with the transport header when discovery says the
// peer is meshed (spec proxy §3.2 step 5, §3.4), plaintext otherwise.
import net from 'node:net';
import type { Endpoint } from '../discovery/discovery.js';
import { TRANSPORT_ALPN, type SessionProtocol, encodeTransportHeader } from '../protocol/transport-header.js';
import type { MeshTls } from '../tls/mesh-tls.js';
import { trackEstablished } from '../net/established.js';
import type { ClientTls } from '../metrics/proxy-metrics.js';

export interface DialContext {
  mesh: MeshTls;
  connectTimeoutMs: number;
  /** This pod's own IPs: meshed endpoints on them are reached in plaintext. */
  localIps: ReadonlySet<string>;
}

export function clientTlsOf(ep: Endpoint, ctx: Pick<DialContext, 'localIps'>): ClientTls {
  if (ep.tlsIdentity && !ctx.localIps.has(ep.address)) return { tls: 'true', serverId: ep.tlsIdentity };
  return { tls: 'no_identity', reason: 'not_provided_by_service_discovery' };
}

export function plainConnect(host: string, port: number, timeoutMs: number): net.Socket {
  // Half-open: a client's FIN must not stop the server's answer (e.g. request/response over TCP).
  const socket = net.connect({ host, port, noDelay: true, allowHalfOpen: true });
  const timer = setTimeout(() => {
    socket.destroy(Object.assign(new Error(`connect timed out after ${timeoutMs}ms`), { code: 'ETIMEDOUT_CONNECT' }));
  }, timeoutMs);
  socket.once('connect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  return trackEstablished(socket, 'connect');
}

/**
 * Dials `ep`; `session` is the HTTP version spoken inside an opaque-transport connection
 * (undefined for a TCP stream). Bytes written before the handshake are queued behind it.
 */
export function dialEndpoint(ep: Endpoint, session: SessionProtocol | undefined, ctx: DialContext): net.Socket {
  if (net.isIP(ep.address) && /^(127\.|::1$)/.test(ep.address)) {
    const s = new net.Socket();
    process.nextTick(() =>
      s.destroy(new Error('Outbound proxy cannot initiate connections on the loopback interface')),
    );
    return s;
  }
  if (!ep.tlsIdentity || ctx.localIps.has(ep.address)) return plainConnect(ep.address, ep.port, ctx.connectTimeoutMs);
  const sni = ep.serverName ?? ep.tlsIdentity;
  if (ep.opaqueTransportPort) {
    const socket = ctx.mesh.connect({
      host: ep.address,
      port: ep.opaqueTransportPort,
      identity: ep.tlsIdentity,
      sni,
      alpn: [TRANSPORT_ALPN],
      connectTimeoutMs: ctx.connectTimeoutMs,
    });
    // ALPN without overlap fails the handshake, so once it completes the header is expected.
    const header = encodeTransportHeader({
      port: ep.port,
      ...(session && ep.protocolHint !== 'opaque' ? { sessionProtocol: session } : {}),
    });
    socket.write(header);
    return trackEstablished(socket, 'secureConnect');
  }
  return trackEstablished(
    ctx.mesh.connect({
      host: ep.address,
      port: ep.port,
      identity: ep.tlsIdentity,
      sni,
      connectTimeoutMs: ctx.connectTimeoutMs,
    }),
    'secureConnect',
  );
}
