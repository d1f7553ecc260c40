import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { webcrypto } from 'node:crypto';
import { createClient, type Client, type Transport } from '@connectrpc/connect';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Identity } from '../../proto/gen/identity_pb.js';
import { encodePem } from '../../util/pem.js';
import { parseCertificateBundle, sanExtension, verifyChain, x509 } from '../identity/x509.js';

export interface IdentityKeyMaterial {
  /** DER PKCS#8 private key (what the proxy keeps as `key.p8`). */
  keyPkcs8: Uint8Array;
  keyPem: string;
  /** DER PKCS#10 CSR with CN and DNS SAN = the identity (`csr.der`). */
  csrDer: Uint8Array;
}

/** Generates an ECDSA P-256 key and a CSR for `identity`, as the proxy's entrypoint does. */
export async function generateKeyAndCsr(identity: string): Promise<IdentityKeyMaterial> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [identity] }],
    // Node's key pair, typed as the DOM one the library declares (same WebCrypto API).
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: identity }])],
  });
  const keyPkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { keyPkcs8, keyPem: encodePem('PRIVATE KEY', keyPkcs8), csrDer: new Uint8Array(csr.rawData) };
}

/**
 * When to refresh next (proxy.md §4.5): 70 % of the current certificate's remaining lifetime,
 * clamped to [min, max]; `min` when there is no valid certificate.
 */
export function refreshDelayMs(now: number, notAfter: number | undefined, minMs: number, maxMs: number): number {
  if (notAfter === undefined || notAfter <= now) return minMs;
  return Math.min(maxMs, Math.max(minMs, Math.floor((notAfter - now) * 0.7)));
}

export interface IdentityCertificate {
  identity: string;
  /** Leaf PEM followed by the intermediates (what a TLS server presents). */
  certChainPem: string;
  leafPem: string;
  keyPem: string;
  notAfter: Date;
}

export interface IdentityClientOptions {
  transport: Transport;
  identity: string;
  /** Re-read at every certification, as the ServiceAccount token is rotated on disk. */
  tokenFile: string;
  key: IdentityKeyMaterial;
  /** When given, a received chain must verify against these anchors (PEM) before it is installed. */
  trustAnchorsPem?: string;
  minRefreshMs?: number;
  maxRefreshMs?: number;
}

export interface IdentityClientEvents {
  certified: [IdentityCertificate];
  error: [Error];
}

/** Keeps a workload certificate current by calling Certify on the identity controller. */
export class IdentityClient extends EventEmitter<IdentityClientEvents> {
  private readonly client: Client<typeof Identity>;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  current: IdentityCertificate | undefined;
  refreshes = { ok: 0, error: 0 };

  constructor(private readonly opts: IdentityClientOptions) {
    super();
    this.client = createClient(Identity, opts.transport);
  }

  /** Starts the refresh loop; resolves with the first certificate. */
  start(): Promise<IdentityCertificate> {
    const first = new Promise<IdentityCertificate>((resolve) => this.once('certified', resolve));
    void this.refresh();
    return first;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** One Certify round trip; installs and returns the certificate. */
  async certify(): Promise<IdentityCertificate> {
    const token = await readFile(this.opts.tokenFile);
    const res = await this.client.certify({
      identity: this.opts.identity,
      token,
      certificateSigningRequest: this.opts.key.csrDer,
    });
    if (res.validUntil === undefined) throw new Error('Certify response lacks valid_until');
    const notAfter = timestampDate(res.validUntil);
    if (notAfter.getTime() <= Date.now())
      throw new Error(`Certify returned an expired certificate (${notAfter.toISOString()})`);
    const leaf = new x509.X509Certificate(res.leafCertificate);
    const intermediates = res.intermediateCertificates.map((d) => new x509.X509Certificate(d));
    if (this.opts.trustAnchorsPem !== undefined) {
      await verifyChain(leaf, intermediates, parseCertificateBundle(this.opts.trustAnchorsPem), new Date());
    }
    const names = sanExtension(leaf)?.names.items.map((n) => n.value) ?? [];
    if (!names.includes(this.opts.identity)) throw new Error('certificate does not match TLS identity');
    const leafPem = encodePem('CERTIFICATE', res.leafCertificate);
    const cert: IdentityCertificate = {
      identity: this.opts.identity,
      leafPem,
      certChainPem: leafPem + res.intermediateCertificates.map((d) => encodePem('CERTIFICATE', d)).join(''),
      keyPem: this.opts.key.keyPem,
      notAfter,
    };
    this.current = cert;
    return cert;
  }

  private async refresh(): Promise<void> {
    if (this.stopped) return;
    try {
      const cert = await this.certify();
      this.refreshes.ok++;
      this.emit('certified', cert);
    } catch (err) {
      this.refreshes.error++;
      if (this.listenerCount('error') > 0) this.emit('error', err as Error);
    }
    if (this.stopped) return;
    const valid = this.current !== undefined && this.current.notAfter.getTime() > Date.now();
    const delay = refreshDelayMs(
      Date.now(),
      valid ? this.current?.notAfter.getTime() : undefined,
      this.opts.minRefreshMs ?? 10_000,
      this.opts.maxRefreshMs ?? 86_400_000,
    );
    this.timer = setTimeout(() => void this.refresh(), delay);
    this.timer.unref();
  }
}
