import { createHash } from 'node:crypto';
import { Code, refuse } from './errors.js';
import { signingKey, type Issuer } from './issuer.js';
import { sanExtension, x509, type X509CryptoKey } from './x509.js';

export interface Validity {
  lifetimeMs: number;
  clockSkewMs: number;
}

export const DEFAULT_VALIDITY: Validity = { lifetimeMs: 24 * 3_600_000, clockSkewMs: 10_000 };

export interface IssuedLeaf {
  der: Uint8Array;
  notAfter: Date;
  /** Issuer first, then the further chain certificates (DER). */
  intermediates: Uint8Array[];
  sha256: string;
}

/** The leaf's validity window: backdated by the skew, clamped to the issuer chain's expiry. */
export function leafWindow(now: Date, validity: Validity, issuerExpiry: Date): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(now.getTime() - validity.clockSkewMs);
  const wanted = now.getTime() + validity.lifetimeMs + validity.clockSkewMs;
  return { notBefore, notAfter: new Date(Math.min(wanted, issuerExpiry.getTime())) };
}

/** Signs a leaf for a validated CSR (controllers.md §1.5). */
export async function issueLeaf(
  issuer: Issuer,
  csr: x509.Pkcs10CertificateRequest,
  validity: Validity,
  now: Date = new Date(),
): Promise<IssuedLeaf> {
  if (csr.publicKey.algorithm.name !== 'ECDSA') {
    throw refuse(Code.Internal, `CSR must contain an ECDSA public key: ${csr.publicKey.algorithm.name}`);
  }
  const { notBefore, notAfter } = leafWindow(now, validity, issuer.expiry);
  const serial = issuer.nextSerial++;
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
  ];
  const issuerSki = issuer.certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  if (issuerSki !== null) extensions.push(new x509.AuthorityKeyIdentifierExtension(issuerSki.keyId));
  const san = sanExtension(csr);
  if (san !== undefined) extensions.push(new x509.SubjectAlternativeNameExtension(san.names.toJSON()));
  let cert: x509.X509Certificate;
  try {
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialHex(serial),
      subject: csr.subjectName,
      issuer: issuer.certificate.subjectName,
      notBefore,
      notAfter,
      publicKey: csr.publicKey,
      signingKey: (await signingKey(issuer)) as unknown as X509CryptoKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions,
    });
  } catch (err) {
    throw refuse(Code.Internal, (err as Error).message);
  }
  const der = new Uint8Array(cert.rawData);
  return {
    der,
    notAfter: cert.notAfter,
    intermediates: [issuer.certificate, ...issuer.chain].map((c) => new Uint8Array(c.rawData)),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

function serialHex(serial: bigint): string {
  const hex = serial.toString(16);
  // A leading 0 keeps the DER INTEGER positive when the top bit is set.
  return hex.length % 2 === 0 ? (/^[89a-f]/.test(hex) ? `00${hex}` : hex) : `0${hex}`;
}
