import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { decodePemBlocks, encodePem } from '../../util/pem.js';

const KEY_FORMATS: Record<string, 'sec1' | 'pkcs1' | 'pkcs8'> = {
  'EC PRIVATE KEY': 'sec1',
  'RSA PRIVATE KEY': 'pkcs1',
  'PRIVATE KEY': 'pkcs8',
};

/** A decoded private key and its canonical PEM (`EC PRIVATE KEY` for EC keys). */
export interface ParsedKey {
  key: KeyObject;
  pem: string;
}

/**
 * Reads the first PEM block of an issuer key file (SEC1, PKCS#1 or PKCS#8) with Linkerd's messages.
 * EC keys are re-encoded as SEC1 `EC PRIVATE KEY`; RSA keys keep PKCS#1 (they fail validation anyway).
 */
export function parsePrivateKeyPem(text: string): ParsedKey {
  const block = decodePemBlocks(text)[0];
  if (!block) throw new Error('not PEM-encoded');
  const type = KEY_FORMATS[block.label];
  if (!type) throw new Error(`unsupported block type: '${block.label}'`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.der, format: 'der', type });
  } catch (err) {
    throw new Error(`failed to parse ${block.label}: ${(err as Error).message}`);
  }
  const pem =
    key.asymmetricKeyType === 'ec'
      ? key.export({ type: 'sec1', format: 'pem' }).toString()
      : key.asymmetricKeyType === 'rsa'
        ? key.export({ type: 'pkcs1', format: 'pem' }).toString()
        : encodePem(block.label, block.der);
  return { key, pem };
}

/**
 * All `CERTIFICATE` blocks of `text`, parsed. Other block types are skipped, as Linkerd does.
 * Messages follow the issuer-file reader (`not a PEM certificate` / `No certificates found`)
 * unless `missing` names the single message of the reader at hand (anchors: `no certificates found`).
 */
export function parseCertificatesPem(text: string, missing?: string): X509Certificate[] {
  const blocks = decodePemBlocks(text);
  if (blocks.length === 0) throw new Error(missing ?? 'not a PEM certificate');
  const certs = blocks
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => {
      try {
        return new X509Certificate(b.der);
      } catch (err) {
        throw new Error(`x509: malformed certificate: ${(err as Error).message}`);
      }
    });
  if (certs.length === 0) throw new Error(missing ?? 'No certificates found');
  return certs;
}

/** The first certificate of a PEM file, re-encoded: chain certificates after it are dropped. */
export function firstCertificatePem(text: string): string {
  const [first] = parseCertificatesPem(text);
  return encodePem('CERTIFICATE', (first as X509Certificate).raw);
}
