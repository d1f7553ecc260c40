import { createHash } from 'node:crypto';
import { Code, refuse } from './errors.js';
import { signingKey, type Issuer } from './issuer.js';
import { x509, type X509CryptoKey } from './x509.js';

interface EcKeyAlgorithm {
  name: string;
  namedCurve?: string;
}

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

/**
 * Signs a leaf for a validated CSR (controllers.md §1.5). Only the CSR's key is taken from it: the
 * subject is `CN=<identity>` and the only SAN the identity's DNS name, so names the name checks do
 * not look at (otherName/UPN, DirName, `O=system:masters`) never reach a certificate.
 */
export async function issueLeaf(
  issuer: Issuer,
  csr: x509.Pkcs10CertificateRequest,
  identity: string,
  validity: Validity,
  now: Date = new Date(),
): Promise<IssuedLeaf> {
  const algorithm = csr.publicKey.algorithm as EcKeyAlgorithm;
  if (algorithm.name !== 'ECDSA') {
    throw refuse(Code.Internal, `CSR must contain an ECDSA public key: ${algorithm.name}`);
  }
  // The proxies' TLS stacks speak P-256 only (as upstream's proxy generates).
  if (algorithm.namedCurve !== 'P-256') {
    throw refuse(Code.InvalidArgument, `CSR must contain an ECDSA P-256 public key: ${algorithm.namedCurve}`);
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
  extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: identity }]));
  let cert: x509.X509Certificate;
  try {
    cert = await x509.X509CertificateGenerator.create({
      serialNumber: serialHex(serial),
      subject: new x509.Name([{ CN: [identity] }]),
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
