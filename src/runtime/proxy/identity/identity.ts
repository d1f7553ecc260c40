// What the proxy needs from identity: the current certificate and key, the trust roots and a
// signal for the first certificate (spec proxy §4).
export interface Credentials {
  /** Leaf first, then intermediates. */
  certChainPem: string;
  keyPem: string;
  expiresAt: Date;
}

export interface IdentityProvider {
  readonly localName: string;
  readonly trustAnchorsPem: string;
  current(): Credentials | undefined;
  /** Resolves once the first certificate is installed. */
  readonly ready: Promise<void>;
  /** Called with every new certificate. */
  onUpdate(listener: (c: Credentials) => void): void;
  close(): void;
}
