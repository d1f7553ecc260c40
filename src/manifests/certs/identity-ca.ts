import { KeyObject } from 'node:crypto';
import { subtle, x509, type CryptoKeyPair } from './x509.js';

/** A PEM certificate with its PEM private key. */
export interface CertAndKey {
  certPEM: string;
  keyPEM: string;
}

const CLOCK_SKEW_MS = 10_000;
const ONE_YEAR_MS = 365 * 24 * 3600_000;

/**
 * CN of the generated identity root: `identity.<ns>.<trust domain>`. Linkerd uses the raw
 * `--identity-trust-domain` value, so an empty one yields `identity.linkerd.`; l5d falls back to the
 * cluster domain, which is what every other consumer of the trust domain does.
 */
export function identityCommonName(namespace: string, trustDomain: string, clusterDomain: string): string {
  return `identity.${namespace}.${trustDomain || clusterDomain}`;
}

/** Truncates to whole seconds: X.509 times carry no fractions, and tests compare exact values. */
function wholeSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

/**
 * The self-signed ECDSA P-256 root that a default install uses both as trust anchor and as issuer:
 * serial 1, valid from `now`−10 s to `now`+365 d+10 s, CA with keyCertSign/cRLSign and
 * serverAuth/clientAuth, key as SEC1 `EC PRIVATE KEY`.
 */
export async function generateIdentityCa(commonName: string, now: Date): Promise<CertAndKey> {
  const keys = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: [{ CN: [commonName] }],
    notBefore: wholeSeconds(now.getTime() - CLOCK_SKEW_MS),
    notAfter: wholeSeconds(now.getTime() + ONE_YEAR_MS + CLOCK_SKEW_MS),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const keyPEM = KeyObject.from(keys.privateKey).export({ type: 'sec1', format: 'pem' }).toString();
  return { certPEM: `${cert.toString('pem')}\n`, keyPEM };
}
