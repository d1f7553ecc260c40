// The workload's key and PKCS#10 certification request (RFC 2986), as the proxy's identity
// entrypoint makes them: ECDSA P-256, subject CN and one DNS SubjectAlternativeName = the identity,
// signed with ecdsa-with-SHA256. Built with node:crypto and a small DER encoder, so that neither
// the proxy nor its identity client loads an X.509 library.
import { type KeyObject, createPublicKey, generateKeyPair, sign } from 'node:crypto';
import { promisify } from 'node:util';
import { encodePem } from '../../util/pem.js';
import {
  bitString,
  contextTag,
  ia5Bytes,
  integer,
  isPrintable,
  objectIdentifier,
  octetString,
  printableString,
  sequence,
  setOf,
  utf8String,
} from '../shared/der.js';

export interface IdentityKeyMaterial {
  /** DER PKCS#8 private key (what the proxy keeps as `key.p8`). */
  keyPkcs8: Uint8Array;
  keyPem: string;
  /** DER PKCS#10 CSR with CN and DNS SAN = the identity (`csr.der`). */
  csrDer: Uint8Array;
}

const OID = {
  commonName: '2.5.4.3',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const;

/** GeneralName's `dNSName [2] IMPLICIT IA5String`. */
const DNS_NAME_TAG = 2;

/** Generates an ECDSA P-256 key and a CSR for `identity`. */
export async function generateKeyAndCsr(identity: string): Promise<IdentityKeyMaterial> {
  const { privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'prime256v1' });
  const keyPkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
  return { keyPkcs8, keyPem: encodePem('PRIVATE KEY', keyPkcs8), csrDer: certificationRequest(identity, privateKey) };
}

/** A DER PKCS#10 request for `identity`, self-signed with `privateKey` (an EC key). */
export function certificationRequest(identity: string, privateKey: KeyObject): Uint8Array {
  if (privateKey.asymmetricKeyType !== 'ec') {
    throw new Error(`certification requests are signed with an EC key, not ${privateKey.asymmetricKeyType}`);
  }
  const spki = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const info = sequence(integer(0), subjectName(identity), spki, contextTag(0, extensionRequest(identity), true));
  // ECDSA signatures default to the DER Ecdsa-Sig-Value that X.509 expects.
  const signature = new Uint8Array(sign('sha256', info, privateKey));
  return sequence(info, sequence(objectIdentifier(OID.ecdsaWithSha256)), bitString(signature));
}

/** `CN=<identity>`, a PrintableString where it fits (as Go writes names), UTF8String otherwise. */
function subjectName(identity: string): Uint8Array {
  const value = isPrintable(identity) ? printableString(identity) : utf8String(identity);
  return sequence(setOf(sequence(objectIdentifier(OID.commonName), value)));
}

/** The extensionRequest attribute asking for `subjectAltName = DNS:<identity>`. */
function extensionRequest(identity: string): Uint8Array {
  const generalNames = sequence(contextTag(DNS_NAME_TAG, ia5Bytes(identity), false));
  const extensions = sequence(sequence(objectIdentifier(OID.subjectAltName), octetString(generalNames)));
  return sequence(objectIdentifier(OID.extensionRequest), setOf(extensions));
}
