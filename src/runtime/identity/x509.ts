import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 is typed against the DOM's WebCrypto types, which this Node-only build does not
// load; Node's webcrypto is the same API.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const SAN_OID = '2.5.29.17';

/** The SubjectAlternativeName extension of a certificate or CSR, if any. */
export function sanExtension(
  holder: x509.X509Certificate | x509.Pkcs10CertificateRequest,
): x509.SubjectAlternativeNameExtension | undefined {
  const ext = holder.extensions.find((e) => e.type === SAN_OID);
  return ext === undefined ? undefined : new x509.SubjectAlternativeNameExtension(ext.rawData);
}

export { x509 };

/** Node's CryptoKey as the DOM-typed key @peculiar/x509 expects (see above). */
export type X509CryptoKey = Parameters<typeof x509.X509CertificateGenerator.create>[0] extends infer P
  ? P extends { signingKey: infer K }
    ? K
    : never
  : never;

/** Every PEM `CERTIFICATE` block in a bundle; other blocks are skipped. */
export function parseCertificateBundle(pem: string): x509.X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new x509.X509Certificate(b));
}

/**
 * Verifies that `cert` chains to one of `anchors` at `now` (signatures and validity periods; no
 * name checks), using `intermediates` as needed. Throws with Go-like messages.
 */
export async function verifyChain(
  cert: x509.X509Certificate,
  intermediates: readonly x509.X509Certificate[],
  anchors: readonly x509.X509Certificate[],
  now: Date,
): Promise<void> {
  let current = cert;
  for (let depth = 0; depth < 10; depth++) {
    checkValidity(current, now);
    if (anchors.some((a) => sameCert(a, current))) return;
    const anchor = await findSigner(current, anchors);
    if (anchor !== undefined) {
      checkValidity(anchor, now);
      return;
    }
    const next = await findSigner(
      current,
      intermediates.filter((c) => !sameCert(c, current)),
    );
    if (next === undefined) break;
    current = next;
  }
  throw new Error('x509: certificate signed by unknown authority');
}

function checkValidity(cert: x509.X509Certificate, now: Date): void {
  if (now < cert.notBefore || now > cert.notAfter) {
    const bound =
      now > cert.notAfter ? `after ${cert.notAfter.toISOString()}` : `before ${cert.notBefore.toISOString()}`;
    throw new Error(`x509: certificate has expired or is not yet valid: current time ${now.toISOString()} is ${bound}`);
  }
}

async function findSigner(
  cert: x509.X509Certificate,
  candidates: readonly x509.X509Certificate[],
): Promise<x509.X509Certificate | undefined> {
  for (const c of candidates) {
    if (c.subject !== cert.issuer) continue;
    if (await cert.verify({ publicKey: c.publicKey, signatureOnly: true })) return c;
  }
  return undefined;
}

function sameCert(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  return Buffer.from(a.rawData).equals(Buffer.from(b.rawData));
}
