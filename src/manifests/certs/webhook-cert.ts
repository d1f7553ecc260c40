import { KeyObject, randomBytes } from 'node:crypto';
import { subtle, x509, type CryptoKeyPair } from './x509.js';
import type { CertAndKey } from './identity-ca.js';

const ONE_YEAR_MS = 365 * 24 * 3600_000;

/** The webhook Services whose serving certificates the chart generates. */
export type WebhookService = 'proxy-injector' | 'sp-validator' | 'policy-validator';

export function webhookDnsName(service: WebhookService, namespace: string): string {
  return `linkerd-${service}.${namespace}.svc`;
}

/** A positive random 128-bit serial, as hex (top bit cleared so the DER integer needs no sign byte). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

/**
 * A self-signed RSA-2048 serving certificate for a webhook Service, matching Sprig's
 * `genSelfSignedCert`: CN and sole DNS SAN `linkerd-<svc>.<ns>.svc`, valid for 365 days,
 * CA:FALSE, key as PKCS#1 `RSA PRIVATE KEY`.
 */
export async function generateWebhookCert(service: WebhookService, namespace: string, now: Date): Promise<CertAndKey> {
  const dnsName = webhookDnsName(service, namespace);
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const keys = (await subtle.generateKey(
    { ...algorithm, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [dnsName] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + ONE_YEAR_MS),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: dnsName }]),
    ],
  });
  const keyPEM = KeyObject.from(keys.privateKey).export({ type: 'pkcs1', format: 'pem' }).toString();
  return { certPEM: `${cert.toString('pem')}\n`, keyPEM };
}
