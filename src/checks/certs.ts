import { createPublicKey, type X509Certificate } from 'node:crypto';
import { parseCertificatesPem, parsePrivateKeyPem } from '../manifests/certs/parse.js';
import { rfc3339 } from '../manifests/certs/validate.js';
import { x509 } from '../manifests/certs/x509.js';

/** "Expiring soon" means NotAfter is earlier than now + 60 days. */
export const EXPIRY_WARNING_MS = 60 * 24 * 3600 * 1000;

const CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  secp224r1: 'P-224',
};

export const parseCerts = parseCertificatesPem;

/** `<decimal serial> <CN>`, the way upstream names a certificate in lists. */
export function certLabel(cert: X509Certificate): string {
  const serial = BigInt(`0x${cert.serialNumber}`).toString(10);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? '';
  return `${serial} ${cn}`;
}

export const notBefore = (cert: X509Certificate): Date => new Date(cert.validFrom);
export const notAfter = (cert: X509Certificate): Date => new Date(cert.validTo);

/** `not valid before: <t>` / `not valid anymore. Expired on <t>`, or undefined when valid now. */
export function validityProblem(cert: X509Certificate, now: Date): string | undefined {
  if (now < notBefore(cert)) return `not valid before: ${rfc3339(notBefore(cert))}`;
  if (now > notAfter(cert)) return `not valid anymore. Expired on ${rfc3339(notAfter(cert))}`;
  return undefined;
}

export function expiresSoon(cert: X509Certificate, now: Date): boolean {
  return notAfter(cert).getTime() < now.getTime() + EXPIRY_WARNING_MS;
}

function signatureIsSha256(cert: X509Certificate): boolean {
  const alg = new x509.X509Certificate(cert.raw).signatureAlgorithm as { name: string; hash?: { name: string } };
  return alg.hash?.name === 'SHA-256' && (alg.name === 'ECDSA' || alg.name === 'RSASSA-PKCS1-v1_5');
}

/** Trust anchors: ECDSA P-256, or RSA 2048/4096, signed with SHA-256 (ECDSA or RSA). */
export function anchorCryptoProblem(cert: X509Certificate): string | undefined {
  const key = cert.publicKey;
  if (key.asymmetricKeyType === 'ec') {
    const curve = CURVE_NAMES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'unknown';
    if (curve !== 'P-256') return `must use P-256 curve for public key, instead ${curve} was used`;
  } else if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits !== 2048 && bits !== 4096) return `must use RSA 2048 or 4096 bit key, instead ${bits} bits were used`;
  } else {
    return `must use ECDSA or RSA for public key algorithm, instead ${key.asymmetricKeyType ?? 'unknown'} was used`;
  }
  return signatureIsSha256(cert) ? undefined : 'must be signed with ECDSA-SHA256 or SHA256-RSA';
}

/** Issuer certificates must be ECDSA P-256; the RSA text doubles its prefix, as upstream's does. */
export function issuerCryptoProblem(cert: X509Certificate): string | undefined {
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'ec') {
    const name = key.asymmetricKeyType === 'rsa' ? 'RSA' : (key.asymmetricKeyType ?? 'unknown');
    return `issuer certificate must use ECDSA for public key algorithm, instead ${name} was used`;
  }
  const curve = CURVE_NAMES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'unknown';
  if (curve !== 'P-256') return `must use P-256 curve for public key, instead ${curve} was used`;
  return signatureIsSha256(cert) ? undefined : 'must be signed with ECDSA-SHA256 or SHA256-RSA';
}

/** X.509 path check: `cert` is an anchor or is signed by a currently valid anchor (and names `dnsName`). */
export function verifyChain(
  cert: X509Certificate,
  anchors: readonly X509Certificate[],
  now: Date,
  dnsName?: string,
): void {
  const isAnchor = anchors.some((a) => a.raw.equals(cert.raw));
  const signer = isAnchor ? undefined : anchors.find((a) => cert.checkIssued(a) && cert.verify(a.publicKey));
  if (!isAnchor && signer === undefined) throw new Error('x509: certificate signed by unknown authority');
  if (signer !== undefined && validityProblem(signer, now) !== undefined) {
    throw new Error(
      'x509: certificate signed by unknown authority (possibly because the anchor is not currently valid)',
    );
  }
  if (dnsName !== undefined && cert.checkHost(dnsName) === undefined) {
    throw new Error(`x509: certificate is valid for ${cert.subjectAltName ?? 'no names'}, not ${dnsName}`);
  }
}

/** Private key and certificate must be a pair (Go's `tls: Public and private key do not match`). */
export function requireKeyMatches(cert: X509Certificate, keyPem: string): void {
  const spki = (k: ReturnType<typeof createPublicKey>): Buffer => k.export({ type: 'spki', format: 'der' });
  const { key } = parsePrivateKeyPem(keyPem);
  if (!spki(createPublicKey(key)).equals(spki(cert.publicKey)))
    throw new Error('tls: Public and private key do not match');
}

/** Lines `\n\t* <serial> <CN> <text>` under a heading, or undefined when there is nothing to list. */
export function listProblems(
  heading: string,
  certs: readonly X509Certificate[],
  problem: (cert: X509Certificate) => string | undefined,
): string | undefined {
  const lines = certs.flatMap((c) => {
    const p = problem(c);
    return p === undefined ? [] : [`\n\t* ${certLabel(c)} ${p}`];
  });
  return lines.length === 0 ? undefined : `${heading}${lines.join('')}`;
}

export { rfc3339 };
