import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { x509 } from './x509.js';
import { parseCertificatesPem, parsePrivateKeyPem } from './parse.js';

/** Issuer credentials as they end up in the values: PEM strings. */
export interface IssuerCredentials {
  trustAnchorsPEM: string;
  issuerCrtPEM: string;
  issuerKeyPEM: string;
}

/** Go's RFC3339 rendering of a UTC time (no fractional seconds). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521, secp224r1: 224 };
const PUBLIC_KEY_ALGORITHMS: Record<string, string> = {
  rsa: 'RSA',
  'rsa-pss': 'RSA',
  dsa: 'DSA',
  ec: 'ECDSA',
  ed25519: 'Ed25519',
};

/** Go's `x509.SignatureAlgorithm` name of a certificate's signature. */
function signatureAlgorithmName(cert: X509Certificate): string {
  let alg: { name: string; hash?: { name: string } };
  try {
    alg = new x509.X509Certificate(cert.raw).signatureAlgorithm as typeof alg;
  } catch {
    return 'unknown';
  }
  const bits = alg.hash?.name.replace('SHA-', '') ?? '';
  switch (alg.name) {
    case 'ECDSA':
      return `ECDSA-SHA${bits}`;
    case 'RSASSA-PKCS1-v1_5':
      return `SHA${bits}-RSA`;
    case 'RSA-PSS':
      return `SHA${bits}-RSAPSS`;
    default:
      return alg.name;
  }
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}

function checkValidity(cert: X509Certificate, now: Date): void {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now < notBefore) throw new Error(`not valid before: ${rfc3339(notBefore)}`);
  if (now > notAfter) throw new Error(`not valid anymore. Expired on ${rfc3339(notAfter)}`);
}

function checkAlgorithms(cert: X509Certificate): void {
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== 'ec') {
    const name = PUBLIC_KEY_ALGORITHMS[key.asymmetricKeyType ?? ''] ?? 'unknown';
    throw new Error(`issuer certificate must use ECDSA for public key algorithm, instead ${name} was used`);
  }
  const bits = CURVE_BITS[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 0;
  if (bits !== 256) throw new Error(`must use P-256 curve for public key, instead P-${bits} was used`);
  const sig = signatureAlgorithmName(cert);
  if (sig !== 'ECDSA-SHA256' && sig !== 'SHA256-RSA') {
    throw new Error(`must be signed by an ECDSA P-256 key, instead ${sig} was used`);
  }
}

/** Go's `Verify` against a root pool: the issuer is itself an anchor or is signed by one that is valid now. */
function checkChain(issuer: X509Certificate, anchors: X509Certificate[], now: Date): void {
  if (anchors.some((a) => a.raw.equals(issuer.raw))) return;
  const signer = anchors.find((a) => issuer.checkIssued(a) && issuer.verify(a.publicKey));
  if (!signer) throw new Error('x509: certificate signed by unknown authority');
  const notBefore = new Date(signer.validFrom);
  const notAfter = new Date(signer.validTo);
  if (now < notBefore || now > notAfter) {
    const detail =
      now < notBefore
        ? `current time ${rfc3339(now)} is before ${rfc3339(notBefore)}`
        : `current time ${rfc3339(now)} is after ${rfc3339(notAfter)}`;
    throw new Error(`x509: certificate has expired or is not yet valid: ${detail}`);
  }
}

function verify(creds: IssuerCredentials, now: Date): void {
  let issuer: X509Certificate;
  try {
    [issuer] = parseCertificatesPem(creds.issuerCrtPEM) as [X509Certificate];
    const { key } = parsePrivateKeyPem(creds.issuerKeyPEM);
    if (!spki(createPublicKey(key)).equals(spki(issuer.publicKey))) {
      throw new Error('tls: Public and private key do not match');
    }
  } catch (err) {
    throw new Error(`failed to read CA: ${(err as Error).message}`);
  }
  checkValidity(issuer, now);
  checkAlgorithms(issuer);
  if (!issuer.ca) throw new Error('issuer cert is not a CA');
  const anchors = parseCertificatesPem(creds.trustAnchorsPEM, 'no certificates found');
  checkChain(issuer, anchors, now);
}

/**
 * Linkerd's checks on supplied issuer credentials, in its order: key matches cert, validity window,
 * ECDSA P-256 key, accepted signature algorithm, CA, anchors parse, issuer chains to the anchors.
 */
export function validateIssuerCredentials(creds: IssuerCredentials, now: Date): void {
  try {
    verify(creds, now);
  } catch (err) {
    throw new Error(`failed to validate issuer credentials: ${(err as Error).message}`);
  }
}

/** All-or-nothing rule: any supplied piece requires the other two. */
export function requireCompleteCredentials(creds: Partial<IssuerCredentials>): void {
  if (!creds.trustAnchorsPEM)
    throw new Error('a trust anchors file must be specified if other credentials are provided');
  if (!creds.issuerCrtPEM) throw new Error('a certificate file must be specified if other credentials are provided');
  if (!creds.issuerKeyPEM) throw new Error('a private key file must be specified if other credentials are provided');
}
