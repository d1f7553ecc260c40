// mTLS between proxies (spec proxy §4.2): TLS 1.3 only, the identity carried in the leaf's
// DNS/URI SAN, chains verified against the trust anchors, no session resumption.
import { constants as cryptoConstants } from 'node:crypto';
import type { Socket } from 'node:net';
import tls, { type PeerCertificate } from 'node:tls';
import type { Credentials, IdentityProvider } from '../identity/identity.js';

const CIPHERSUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256';
const CURVES = 'X25519:P-256:P-384';

/** SAN identities of a certificate, in order (`DNS:` and `URI:` entries). */
export function sanIdentities(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .map((s) => /^(?:DNS|URI):(.*)$/.exec(s.trim())?.[1])
    .filter((s): s is string => s !== undefined && s !== '');
}

export function peerIdentity(socket: tls.TLSSocket): string | undefined {
  const cert = socket.getPeerCertificate() as PeerCertificate | Record<string, never>;
  if (!cert || !('subjectaltname' in cert)) return undefined;
  return sanIdentities(cert.subjectaltname)[0];
}

function baseOptions(creds: Credentials | undefined, trustAnchorsPem: string): tls.SecureContextOptions {
  return {
    minVersion: 'TLSv1.3',
    maxVersion: 'TLSv1.3',
    ciphers: CIPHERSUITES,
    ecdhCurve: CURVES,
    ca: trustAnchorsPem,
    ...(creds ? { cert: creds.certChainPem, key: creds.keyPem } : {}),
    secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
  };
}

export interface MeshConnectOptions {
  host: string;
  port: number;
  /** Identity the server's leaf must carry. */
  identity: string;
  sni: string;
  alpn?: string[];
  connectTimeoutMs: number;
}

export class MeshTls {
  private clientContext: tls.SecureContext;
  /** TLS server for redirected connections (no ALPN) and for direct ones (transport ALPN). */
  readonly redirectedServer: tls.Server;
  readonly directServer: tls.Server;

  constructor(
    private readonly identity: IdentityProvider,
    directAlpn: string,
  ) {
    this.clientContext = tls.createSecureContext(baseOptions(identity.current(), identity.trustAnchorsPem));
    const serverOptions = (alpn: string[] | undefined): tls.TlsOptions => ({
      ...baseOptions(identity.current(), identity.trustAnchorsPem),
      requestCert: true,
      rejectUnauthorized: false,
      allowHalfOpen: true,
      ...(alpn ? { ALPNProtocols: alpn } : {}),
    });
    this.redirectedServer = tls.createServer(serverOptions(undefined));
    this.directServer = tls.createServer(serverOptions([directAlpn]));
    this.watch(this.redirectedServer);
    this.watch(this.directServer);
    identity.onUpdate((c) => this.install(c));
  }

  private install(creds: Credentials): void {
    const opts = baseOptions(creds, this.identity.trustAnchorsPem);
    this.clientContext = tls.createSecureContext(opts);
    this.redirectedServer.setSecureContext(opts);
    this.directServer.setSecureContext(opts);
  }

  /** Client side of a meshed hop; resolves once the handshake is complete and the identity checked. */
  connect(o: MeshConnectOptions): tls.TLSSocket {
    const halfOpen = { allowHalfOpen: true } as tls.ConnectionOptions;
    const socket = tls.connect({
      ...halfOpen,
      host: o.host,
      port: o.port,
      servername: o.sni,
      secureContext: this.clientContext,
      ...(o.alpn ? { ALPNProtocols: o.alpn } : {}),
      checkServerIdentity: (_host, cert) => {
        if (!sanIdentities(cert.subjectaltname).includes(o.identity)) {
          return new Error(`certificate does not match TLS identity ${o.identity}`);
        }
        return undefined;
      },
    });
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      const err = Object.assign(new Error(`connect timed out after ${o.connectTimeoutMs}ms`), {
        code: 'ETIMEDOUT_CONNECT',
      });
      socket.destroy(err);
    }, o.connectTimeoutMs);
    // The timeout covers the handshake: a peer whose proxy is not yet certified accepts the TCP
    // connection into its backlog but never answers the ClientHello.
    socket.once('secureConnect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  }

  /**
   * Terminates TLS on an accepted socket (whose ClientHello bytes were unshifted back). Resolves
   * with the decrypted socket and the client's identity (undefined for anonymous clients);
   * rejects when a presented client chain does not verify.
   */
  accept(socket: Socket, direct: boolean): Promise<{ tls: tls.TLSSocket; clientId: string | undefined }> {
    const key = `${socket.remoteAddress}|${socket.remotePort}`;
    return new Promise((resolve, reject) => {
      const entry = { resolve, reject };
      this.pending.set(key, entry);
      socket.once('close', () => {
        if (this.pending.get(key) !== entry) return;
        this.pending.delete(key);
        reject(new Error('connection closed during the TLS handshake'));
      });
      (direct ? this.directServer : this.redirectedServer).emit('connection', socket);
    });
  }

  private readonly pending = new Map<
    string,
    { resolve: (v: { tls: tls.TLSSocket; clientId: string | undefined }) => void; reject: (e: Error) => void }
  >();

  private watch(server: tls.Server): void {
    const take = (
      t: tls.TLSSocket,
    ):
      | { resolve: (v: { tls: tls.TLSSocket; clientId: string | undefined }) => void; reject: (e: Error) => void }
      | undefined => {
      const key = `${t.remoteAddress}|${t.remotePort}`;
      const p = this.pending.get(key);
      this.pending.delete(key);
      return p;
    };
    server.on('secureConnection', (t: tls.TLSSocket) => {
      const p = take(t);
      if (!p) return;
      const hasCert = Object.keys(t.getPeerCertificate()).length > 0;
      if (hasCert && !t.authorized) {
        t.destroy();
        p.reject(new Error(`client certificate rejected: ${String(t.authorizationError)}`));
        return;
      }
      p.resolve({ tls: t, clientId: hasCert ? peerIdentity(t) : undefined });
    });
    server.on('tlsClientError', (err: Error, t: tls.TLSSocket) => take(t)?.reject(err));
  }
}
