import { Code, refuse } from './errors.js';
import { sanExtension, x509 } from './x509.js';

/**
 * Parses a DER PKCS#10 CSR and applies Certify's name checks (controllers.md §1.4 step 4).
 * Parse failures are INVALID_ARGUMENT; name mismatches FAILED_PRECONDITION.
 */
export async function parseCsr(der: Uint8Array): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(toArrayBuffer(der));
  } catch (err) {
    throw refuse(Code.InvalidArgument, `asn1: structure error: ${(err as Error).message}`);
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  // Go's parser does not check the CSR's self-signature; l5d does (proof of key possession).
  if (!valid) throw refuse(Code.InvalidArgument, 'x509: CSR signature verification failure');
  return csr;
}

export interface CsrNames {
  dns: string[];
  email: string[];
  ip: string[];
  uri: string[];
  commonName: string;
}

export function csrNames(csr: x509.Pkcs10CertificateRequest): CsrNames {
  const names: CsrNames = { dns: [], email: [], ip: [], uri: [], commonName: '' };
  const san = sanExtension(csr);
  for (const n of san?.names.items ?? []) {
    if (n.type === 'dns') names.dns.push(n.value);
    else if (n.type === 'email') names.email.push(n.value);
    else if (n.type === 'ip') names.ip.push(n.value);
    else if (n.type === 'url') names.uri.push(n.value);
  }
  names.commonName = csr.subjectName.getField('CN')[0] ?? '';
  return names;
}

export function checkCsrNames(names: CsrNames, identity: string): void {
  if (names.dns.length !== 1) throw refuse(Code.FailedPrecondition, 'CSR must have exactly one DNSName');
  if (names.dns[0] !== identity) {
    throw refuse(
      Code.FailedPrecondition,
      `CSR name does not match requested identity: csr=${names.dns[0]}; req=${identity}`,
    );
  }
  if (names.commonName !== '' && names.commonName !== identity) {
    throw refuse(Code.FailedPrecondition, `invalid CommonName: ${names.commonName}`);
  }
  if (names.email.length > 0) throw refuse(Code.FailedPrecondition, 'cannot validate email addresses');
  if (names.ip.length > 0) throw refuse(Code.FailedPrecondition, 'cannot validate IP addresses');
  if (names.uri.length > 0) throw refuse(Code.FailedPrecondition, 'cannot validate URIs');
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
