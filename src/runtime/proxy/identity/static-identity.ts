// Identity from files: the key from `<identity dir>/key.p8` and a PEM chain from
// L5D_PROXY_STATIC_IDENTITY_CERT, used once the file exists (polled), instead of Certify.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import type { Credentials, IdentityProvider } from './identity.js';

export function keyPemFromDir(dir: string): string {
  const der = readFileSync(join(dir, 'key.p8'));
  if (der.length === 0) throw new Error(`${join(dir, 'key.p8')} is empty`);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

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
