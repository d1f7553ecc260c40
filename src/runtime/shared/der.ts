// A minimal DER (X.690) encoder: just the types a PKCS#10 certification request is made of. A
// full ASN.1 library costs a meshed proxy 10–20 MiB of resident memory; this costs nothing.

const TAG = {
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  sequence: 0x30,
  set: 0x31,
} as const;

/** One DER tag-length-value: the definite-length form, short or long as the length needs. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xff) throw new RangeError(`DER tag out of range: ${tag}`);
  return concat([Uint8Array.of(tag), encodeLength(content.length), content]);
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(TAG.sequence, concat(items));
}

/** A SET OF: DER orders the encoded elements as ascending octet strings (X.690 §11.6). */
export function setOf(...items: Uint8Array[]): Uint8Array {
  return tlv(TAG.set, concat([...items].sort(compareBytes)));
}

/** A non-negative INTEGER in the minimal two's-complement form. */
export function integer(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`DER INTEGER must be a safe non-negative integer: ${value}`);
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  // A set high bit would read as negative, and zero still takes one content octet.
  if (bytes.length === 0 || (bytes[0] ?? 0) >= 0x80) bytes.unshift(0);
  return tlv(TAG.integer, Uint8Array.from(bytes));
}

/** An OBJECT IDENTIFIER from its dotted form, e.g. `2.5.4.3`. */
export function objectIdentifier(dotted: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(dotted)) throw new Error(`invalid OBJECT IDENTIFIER: ${dotted}`);
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  if (first < 2 && second > 39) throw new Error(`invalid OBJECT IDENTIFIER: ${dotted}`);
  const bytes = [first * 40 + second, ...rest].flatMap(base128);
  return tlv(TAG.oid, Uint8Array.from(bytes));
}

function base128(arc: number): number[] {
  if (!Number.isSafeInteger(arc)) throw new Error(`OBJECT IDENTIFIER arc too large: ${arc}`);
  const out = [arc % 128];
  for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) out.unshift(0x80 | (n % 128));
  return out;
}

export function utf8String(text: string): Uint8Array {
  return tlv(TAG.utf8String, new TextEncoder().encode(text));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function isPrintable(text: string): boolean {
  return PRINTABLE.test(text);
}

export function printableString(text: string): Uint8Array {
  if (!isPrintable(text)) throw new Error(`not a PrintableString: ${JSON.stringify(text)}`);
  return tlv(TAG.printableString, new TextEncoder().encode(text));
}

/** IA5String content octets (ASCII), as a GeneralName's IMPLICIT dNSName carries them. */
export function ia5Bytes(text: string): Uint8Array {
  if (!/^\p{ASCII}*$/u.test(text)) throw new Error(`not an IA5String: ${JSON.stringify(text)}`);
  return new TextEncoder().encode(text);
}

/** A BIT STRING of whole octets (no unused bits), as keys and signatures are. */
export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.bitString, concat([Uint8Array.of(0), bytes]));
}

export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.octetString, bytes);
}

/** A context-specific tag `[n]`: constructed (IMPLICIT SET OF, EXPLICIT) or primitive (IMPLICIT string). */
export function contextTag(n: number, content: Uint8Array, constructed: boolean): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag out of range: ${n}`);
  return tlv(0x80 | (constructed ? 0x20 : 0) | n, content);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return a.length - b.length;
}
