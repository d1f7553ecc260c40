import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCertificateBundle, verifyChain, x509 } from './x509.js';

export interface Issuer {
  certificate: x509.X509Certificate;
  /** Further chain certificates from the issuer file, in file order. */
  chain: x509.X509Certificate[];
  key: KeyObject;
  /** Earliest NotAfter among the issuer and its chain: leaves never outlive it. */
  expiry: Date;
  nextSerial: bigint;
}

export const LINKERD_TLS_SCHEME = 'linkerd.io/tls';

/** The issuer's certificate and key file names for a scheme (controllers.md §1.2). */
export function issuerFiles(dir: string, scheme: string): { cert: string; key: string } {
  return scheme === LINKERD_TLS_SCHEME
    ? { cert: join(dir, 'crt.pem'), key: join(dir, 'key.pem') }
    : { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
}

/** Reads and validates the issuer credentials (controllers.md §1.6 "loading"). */
export async function loadIssuer(
  dir: string,
  scheme: string,
  anchors: readonly x509.X509Certificate[],
  issuerName: string,
  now: Date = new Date(),
): Promise<Issuer> {
  const files = issuerFiles(dir, scheme);
  const [certPem, keyPem] = await Promise.all([readFile(files.cert, 'utf8'), readFile(files.key, 'utf8')]);
  return buildIssuer(certPem, keyPem, anchors, issuerName, now);
}

export async function buildIssuer(
  certPem: string,
  keyPem: string,
  anchors: readonly x509.X509Certificate[],
  issuerName: string,
  now: Date,
): Promise<Issuer> {
  const [certificate, ...chain] = parseCertificateBundle(certPem);
  if (certificate === undefined) throw new Error('tls: failed to find any PEM data in certificate input');
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    throw new Error(`tls: failed to parse private key: ${(err as Error).message}`);
  }
  const keySpki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  if (!keySpki.equals(Buffer.from(certificate.publicKey.rawData))) {
    throw new Error('tls: Public and private key do not match');
  }
  try {
    await verifyChain(certificate, chain, anchors, now);
  } catch (err) {
    throw new Error(
      `failed to verify issuer credentials for '${issuerName}' with trust anchors: ${(err as Error).message}`,
    );
  }
  const constraints = certificate.getExtension(x509.BasicConstraintsExtension);
  if (constraints?.ca !== true) {
    throw new Error('failed to verify issuer certificate: it must be an intermediate-CA, but it is not');
  }
  const expiry = [certificate, ...chain].reduce(
    (min, c) => (c.notAfter < min ? c.notAfter : min),
    certificate.notAfter,
  );
  return { certificate, chain, key, expiry, nextSerial: 1n };
}

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The issuer key as a WebCrypto ECDSA signing key; RSA issuers fail here, as upstream's do at signing. */
export async function signingKey(issuer: Issuer): Promise<webcrypto.CryptoKey> {
  const curve = CURVES[issuer.key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (issuer.key.asymmetricKeyType !== 'ec' || curve === undefined) {
    throw new Error(`x509: requested SignatureAlgorithm does not match private key type`);
  }
  const pkcs8 = issuer.key.export({ type: 'pkcs8', format: 'der' });
  return await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
}
