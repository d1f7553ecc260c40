// The hand-mapped Certify messages against protobuf-es's generated schemas, both directions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { decodeCertifyResponse, encodeCertifyRequest } from '../../src/runtime/clients/identity-messages.js';
import { CertifyRequestSchema, CertifyResponseSchema } from '../../src/proto/gen/identity_pb.js';

const bytes = fc.uint8Array({ maxLength: 64 });

test('encodeCertifyRequest writes what the generated schema reads', () => {
  fc.assert(
    fc.property(fc.string(), bytes, bytes, (identity, token, csr) => {
      const req = { identity, token, certificateSigningRequest: csr };
      const decoded = fromBinary(CertifyRequestSchema, encodeCertifyRequest(req));
      assert.equal(decoded.identity, identity);
      assert.deepEqual(decoded.token, token);
      assert.deepEqual(decoded.certificateSigningRequest, csr);
      // Same bytes as protobuf-es writes for the message.
      assert.deepEqual(encodeCertifyRequest(req), toBinary(CertifyRequestSchema, create(CertifyRequestSchema, req)));
    }),
  );
});

test('decodeCertifyResponse reads what the generated schema writes', () => {
  // Milliseconds from 1900 to 2200: negative seconds and sub-second parts included.
  const ms = fc.integer({ min: -2_208_988_800_000, max: 7_258_118_400_000 });
  fc.assert(
    fc.property(bytes, fc.array(bytes, { maxLength: 4 }), fc.option(ms), (leaf, intermediates, validMs) => {
      const message = create(CertifyResponseSchema, {
        leafCertificate: leaf,
        intermediateCertificates: intermediates,
        ...(validMs === null ? {} : { validUntil: timestampFromMs(validMs) }),
      });
      const decoded = decodeCertifyResponse(toBinary(CertifyResponseSchema, message));
      assert.deepEqual(decoded.leafCertificate, leaf);
      assert.deepEqual(decoded.intermediateCertificates, intermediates);
      assert.equal(decoded.validUntil?.getTime(), validMs ?? undefined);
    }),
  );
});

test('decodeCertifyResponse skips fields it does not know', () => {
  const w = new BinaryWriter();
  w.tag(9, WireType.Varint).uint64(12345n);
  w.tag(1, WireType.LengthDelimited).bytes(Uint8Array.of(1, 2));
  w.tag(10, WireType.LengthDelimited).string('future');
  w.tag(3, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(60n).tag(7, WireType.Bit32).fixed32(1).join();
  const decoded = decodeCertifyResponse(w.finish());
  assert.deepEqual(decoded.leafCertificate, Uint8Array.of(1, 2));
  assert.equal(decoded.validUntil?.getTime(), 60_000);
});
