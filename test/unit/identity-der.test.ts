import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
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
  tlv,
  utf8String,
} from '../../src/runtime/shared/der.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** An independent X.690 reader for one TLV: tag, content, and how many octets it took. */
function readTlv(der: Uint8Array): { tag: number; content: Uint8Array; size: number } {
  const tag = der[0] ?? -1;
  const first = der[1] ?? 0;
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    assert.ok(n > 0 && n <= 4, 'indefinite or oversized length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[2 + i] ?? 0);
    assert.ok(length >= 0x80, 'long form used for a short length (not DER)');
    assert.notEqual(der[2], 0, 'leading zero length octet (not DER)');
    header += n;
  }
  return { tag, content: der.subarray(header, header + length), size: header + length };
}

describe('DER encoder', () => {
  test('lengths use the short form below 128 and the minimal long form above', () => {
    assert.equal(hex(octetString(new Uint8Array(0))), '0400');
    assert.equal(hex(tlv(0x04, new Uint8Array(127))).slice(0, 4), '047f');
    assert.equal(hex(tlv(0x04, new Uint8Array(128))).slice(0, 6), '048180');
    assert.equal(hex(tlv(0x04, new Uint8Array(255))).slice(0, 6), '0481ff');
    assert.equal(hex(tlv(0x04, new Uint8Array(256))).slice(0, 8), '04820100');
    assert.equal(hex(tlv(0x04, new Uint8Array(65_536))).slice(0, 10), '0483010000');
  });

  test('any content round-trips through an independent reader', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.integer({ min: 0, max: 255 }), (content, tag) => {
        const der = tlv(tag, content);
        const back = readTlv(der);
        assert.equal(back.tag, tag);
        assert.equal(back.size, der.length);
        assert.deepEqual(back.content, content);
      }),
      { numRuns: 60 },
    );
  });

  test('INTEGER is minimal two’s complement and refuses what a CSR never needs', () => {
    assert.equal(hex(integer(0)), '020100');
    assert.equal(hex(integer(127)), '02017f');
    assert.equal(hex(integer(128)), '02020080');
    assert.equal(hex(integer(256)), '02020100');
    assert.equal(hex(integer(65_535)), '020300ffff');
    assert.throws(() => integer(-1), /non-negative/);
    assert.throws(() => integer(1.5), /non-negative/);
  });

  test('OBJECT IDENTIFIERs encode as X.690 §8.19 says (the OIDs a CSR carries)', () => {
    // Reference encodings, as RFC 5480 / RFC 5758 / PKCS#9 list them.
    assert.equal(hex(objectIdentifier('2.5.4.3')), '0603550403');
    assert.equal(hex(objectIdentifier('2.5.29.17')), '0603551d11');
    assert.equal(hex(objectIdentifier('1.2.840.10045.4.3.2')), '06082a8648ce3d040302');
    assert.equal(hex(objectIdentifier('1.2.840.113549.1.9.14')), '06092a864886f70d01090e');
    assert.equal(hex(objectIdentifier('2.999.3')), '0603883703');
    for (const bad of ['', '1', '3.1', '1.40', '1..2', '1.2.x', '1.2.']) {
      assert.throws(() => objectIdentifier(bad), /invalid OBJECT IDENTIFIER/, bad);
    }
  });

  test('strings: PrintableString only with its alphabet, UTF8String for anything', () => {
    assert.equal(hex(printableString('a.b-c')), '1305612e622d63');
    assert.ok(isPrintable("Az09 '()+,-./:=?"));
    for (const c of ['_', '*', '@', 'é', '\n']) {
      assert.equal(isPrintable(`a${c}b`), false, c);
      assert.throws(() => printableString(`a${c}b`), /not a PrintableString/);
    }
    assert.equal(hex(utf8String('é')), '0c02c3a9');
    assert.equal(hex(ia5Bytes('web.ns')), Buffer.from('web.ns').toString('hex'));
    assert.throws(() => ia5Bytes('wéb'), /not an IA5String/);
  });

  test('BIT STRING states zero unused bits; context tags set class and form', () => {
    assert.equal(hex(bitString(Uint8Array.of(0xab, 0xcd))), '030300abcd');
    assert.equal(hex(contextTag(0, Uint8Array.of(5), true)), 'a00105');
    assert.equal(hex(contextTag(2, Uint8Array.of(0x61), false)), '820161');
    assert.throws(() => contextTag(31, new Uint8Array(0), false), /out of range/);
    assert.throws(() => tlv(256, new Uint8Array(0)), /out of range/);
  });

  test('SEQUENCE keeps order; SET OF sorts its elements (DER canonical order)', () => {
    const a = integer(2);
    const b = integer(1);
    const c = octetString(Uint8Array.of(0));
    assert.equal(hex(sequence(a, b)), '3006020102020101');
    assert.equal(hex(setOf(a, b, c)), '3109' + '020101' + '020102' + '040100');
    assert.equal(hex(setOf(c, b, a)), hex(setOf(a, b, c)));
  });
});
