// Checks a workload certificate from Certify before it is installed (proxy.md §4.5): it chains to
// the trust anchors, names the identity, is current and certifies our own key. Built on
// node:crypto's X509Certificate (OpenSSL), so the proxy loads no X.509 library of its own.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { decodePemBlocks } from '../../util/pem.js';

/** Longest chain followed from a leaf to an anchor, as Go's verifier bounds it too. */
const MAX_CHAIN_DEPTH = 10;

/** Every `CERTIFICATE` block of a PEM bundle; other blocks are skipped. */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  return decodePemBlocks(pem)
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b, i) => {
      try {
        return new X509Certificate(b.der);
      } catch (err) {
        throw new Error(`certificate ${i + 1} of the bundle does not parse: ${(err as Error).message}`);
      }
    });
}

export interface SubjectAltName {
  /** As OpenSSL prints it: `DNS`, `IP Address`, `URI`, `email`, ... */
  type: string;
  value: string;
}

/**
 * Splits Node's `subjectAltName` text (`DNS:a, URI:"b, c"`). Node writes a value as a JSON string
 * when it holds a delimiter, so a crafted name cannot smuggle in a second entry.
 */
export function parseSubjectAltNames(text: string | undefined): SubjectAltName[] {
  const names: SubjectAltName[] = [];
  if (text === undefined || text === '') return names;
  let rest = text;
  for (;;) {
    const colon = rest.indexOf(':');
    if (colon < 0) throw new Error(`malformed subjectAltName: ${JSON.stringify(text)}`);
    const type = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
    let value: string;
    if (rest.startsWith('"')) {
      const end = closingQuote(rest);
      value = JSON.parse(rest.slice(0, end + 1)) as string;
      rest = rest.slice(end + 1);
    } else {
      const comma = rest.indexOf(', ');
      value = comma < 0 ? rest : rest.slice(0, comma);
      rest = comma < 0 ? '' : rest.slice(comma);
    }
    names.push({ type, value });
    if (rest === '') return names;
    if (!rest.startsWith(', ')) throw new Error(`malformed subjectAltName: ${JSON.stringify(text)}`);
    rest = rest.slice(2);
  }
}

function closingQuote(quoted: string): number {
  for (let i = 1; i < quoted.length; i++) {
    if (quoted[i] === '\\') i++;
    else if (quoted[i] === '"') return i;
  }
  throw new Error(`malformed subjectAltName: unterminated ${quoted}`);
}

export function dnsNames(cert: X509Certificate): string[] {
  return parseSubjectAltNames(cert.subjectAltName)
    .filter((n) => n.type === 'DNS')
    .map((n) => n.value);
}

export function notBefore(cert: X509Certificate): Date {
  return new Date(cert.validFrom);
}

export function notAfter(cert: X509Certificate): Date {
  return new Date(cert.validTo);
}

function checkValidity(cert: X509Certificate, now: Date): void {
  const from = notBefore(cert);
  const to = notAfter(cert);
  if (now < from || now > to) {
    const bound = now > to ? `after ${to.toISOString()}` : `before ${from.toISOString()}`;
    throw new Error(`x509: certificate has expired or is not yet valid: current time ${now.toISOString()} is ${bound}`);
  }
}

/** Whether `signer` issued `cert`: names and key identifiers match, it may sign, and the signature holds. */
function issuedBy(cert: X509Certificate, signer: X509Certificate): boolean {
  return signer.ca && cert.checkIssued(signer) && cert.verify(signer.publicKey);
}

/**
 * Verifies that `cert` chains to one of `anchors` at `now` (signatures, CA flags and validity
 * periods; no name checks), through `intermediates` as needed. Throws with Go-like messages.
 */
export function verifyChain(
  cert: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: Date,
): void {
  let current = cert;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    checkValidity(current, now);
    if (anchors.some((a) => a.raw.equals(current.raw))) return;
    const anchor = anchors.find((a) => issuedBy(current, a));
    if (anchor !== undefined) {
      checkValidity(anchor, now);
      return;
    }
    const next = intermediates.find((c) => !c.raw.equals(current.raw) && issuedBy(current, c));
    if (next === undefined) break;
    current = next;
  }
  throw new Error('x509: certificate signed by unknown authority');
}

export interface WorkloadCertificateCheck {
  leafDer: Uint8Array;
  intermediatesDer: readonly Uint8Array[];
  identity: string;
  /** The workload's own public key: the leaf must certify it, or TLS could not use it. */
  publicKey: KeyObject;
  /** When given, the chain must verify against these. */
  anchors?: readonly X509Certificate[];
  now: Date;
}

/** Runs every check on a Certify response's certificates; returns the leaf's NotAfter. */
export function checkWorkloadCertificate(check: WorkloadCertificateCheck): Date {
  const leaf = parse(check.leafDer, 'leaf certificate');
  const intermediates = check.intermediatesDer.map((d, i) => parse(d, `intermediate certificate ${i + 1}`));
  if (check.anchors !== undefined) verifyChain(leaf, intermediates, check.anchors, check.now);
  else checkValidity(leaf, check.now);
  if (!dnsNames(leaf).includes(check.identity)) throw new Error('certificate does not match TLS identity');
  if (!leaf.publicKey.equals(check.publicKey)) {
    throw new Error("certificate does not certify the proxy's private key");
  }
  return notAfter(leaf);
}

function parse(der: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (err) {
    throw new Error(`Certify returned an unparsable ${what}: ${(err as Error).message}`);
  }
}
