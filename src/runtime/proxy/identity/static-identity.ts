// Identity from files: the proxy's key and a PEM chain from
// L5D_PROXY_STATIC_IDENTITY_CERT, used once the file exists (polled), instead of Certify.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Credentials, IdentityProvider } from './identity.js';

export class StaticIdentity implements IdentityProvider {
  private creds: Credentials | undefined;
  private readonly listeners: Array<(c: Credentials) => void> = [];
  private markReady!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(
    readonly localName: string,
    readonly trustAnchorsPem: string,
    private readonly keyPem: string,
    private readonly certFile: string,
  ) {
    this.load();
    watchFile(certFile, { interval: 100, persistent: false }, () => this.load());
  }

  private load(): void {
    if (!existsSync(this.certFile)) return;
    const certChainPem = readFileSync(this.certFile, 'utf8');
    if (!certChainPem.includes('-----END CERTIFICATE-----')) return;
    const leaf = new X509Certificate(certChainPem);
    this.creds = { certChainPem, keyPem: this.keyPem, expiresAt: new Date(leaf.validTo) };
    for (const l of this.listeners) l(this.creds);
    this.markReady();
  }

  current(): Credentials | undefined {
    return this.creds;
  }

  onUpdate(listener: (c: Credentials) => void): void {
    this.listeners.push(listener);
  }

  close(): void {
    unwatchFile(this.certFile);
  }
}
