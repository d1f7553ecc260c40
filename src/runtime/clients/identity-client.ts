// Certify client shared by the proxy and the tests. It checks certificates with node:crypto only:
// an X.509 library (reflect-metadata + @peculiar/x509) would cost every meshed pod ~8 MiB of RSS.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs';
import { promisify } from 'node:util';
import { type KeyObject, type X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { encodePem } from '../../util/pem.js';
import { checkWorkloadCertificate, parseCertificateBundle } from './certificate-checks.js';
import type { GrpcChannel } from './grpc-channel.js';
import { CERTIFY_PATH, decodeCertifyResponse, encodeCertifyRequest } from './identity-messages.js';
import type { IdentityKeyMaterial } from './identity-key.js';

export { generateKeyAndCsr, type IdentityKeyMaterial } from './identity-key.js';

/**
 * When to refresh next (proxy.md §4.5): 70 % of the current certificate's remaining lifetime,
 * clamped to [min, max]; `min` when there is no valid certificate.
 */
export function refreshDelayMs(now: number, notAfter: number | undefined, minMs: number, maxMs: number): number {
  if (notAfter === undefined || notAfter <= now) return minMs;
  return Math.min(maxMs, Math.max(minMs, Math.floor((notAfter - now) * 0.7)));
}

/** node:fs/promises would load Node's readline and file-handle modules into every meshed pod. */
const readFileAsync = promisify(readFile);

/** A Certify that has not answered by then is retried after the usual backoff. */
const CERTIFY_TIMEOUT_MS = 30_000;

export interface IdentityCertificate {
  identity: string;
  /** Leaf PEM followed by the intermediates (what a TLS server presents). */
  certChainPem: string;
  leafPem: string;
  keyPem: string;
  notAfter: Date;
}

export interface IdentityClientOptions {
  channel: GrpcChannel;
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
  private readonly publicKey: KeyObject;
  private readonly anchors: X509Certificate[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  current: IdentityCertificate | undefined;
  refreshes = { ok: 0, error: 0 };

  constructor(private readonly opts: IdentityClientOptions) {
    super();
    this.publicKey = createPublicKey(
      createPrivateKey({ key: Buffer.from(opts.key.keyPkcs8), format: 'der', type: 'pkcs8' }),
    );
    this.anchors = opts.trustAnchorsPem === undefined ? undefined : parseCertificateBundle(opts.trustAnchorsPem);
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
    const token = await readFileAsync(this.opts.tokenFile);
    const request = encodeCertifyRequest({
      identity: this.opts.identity,
      token,
      certificateSigningRequest: this.opts.key.csrDer,
    });
    const res = decodeCertifyResponse(
      await this.opts.channel.unary(CERTIFY_PATH, request, { timeoutMs: CERTIFY_TIMEOUT_MS }),
    );
    if (res.validUntil === undefined) throw new Error('Certify response lacks valid_until');
    const notAfter = res.validUntil;
    if (notAfter.getTime() <= Date.now())
      throw new Error(`Certify returned an expired certificate (${notAfter.toISOString()})`);
    checkWorkloadCertificate({
      leafDer: res.leafCertificate,
      intermediatesDer: res.intermediateCertificates,
      identity: this.opts.identity,
      publicKey: this.publicKey,
      anchors: this.anchors,
      now: new Date(),
    });
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
