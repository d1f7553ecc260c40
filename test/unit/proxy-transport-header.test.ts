import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  PREFACE,
  decodeTransportHeader,
  encodeTransportHeader,
} from '../../src/runtime/proxy/protocol/transport-header.js';

test('the wire format: preface, big-endian length, protobuf fields 1/2/3', () => {
  const buf = encodeTransportHeader({ port: 8080, sessionProtocol: 'http2' });
  assert.equal(buf.subarray(0, 23).toString(), 'transport.l5d.io/v1\r\n\r\n');
  // port=8080 → 08 90 3f; session_protocol { http2 {} } → 1a 02 12 00
  assert.equal(buf.subarray(23).toString('hex'), '00000007' + '08903f' + '1a021200');
  assert.equal(
    encodeTransportHeader({ port: 80, name: 'web.ns.svc.cluster.local' }).subarray(27).toString('hex'),
    '0850' + '12' + '18' + Buffer.from('web.ns.svc.cluster.local').toString('hex'),
  );
});

test('encode/decode round-trips and decoding reports trailing payload', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 65535 }),
      fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
      fc.constantFrom(undefined, 'http1' as const, 'http2' as const),
      fc.uint8Array({ maxLength: 20 }),
      (port, name, sessionProtocol, payload) => {
        const header = { port, ...(name ? { name } : {}), ...(sessionProtocol ? { sessionProtocol } : {}) };
        const enc = encodeTransportHeader(header);
        const r = decodeTransportHeader(Buffer.concat([enc, payload]));
        assert.equal(r.kind, 'header');
        if (r.kind !== 'header') return;
        assert.deepEqual(r.header, header);
        assert.equal(r.consumed, enc.length);
      },
    ),
  );
});

test('incomplete, invalid preface, bad port and unknown fields', () => {
  const enc = encodeTransportHeader({ port: 5432 });
  assert.equal(decodeTransportHeader(enc.subarray(0, 10)).kind, 'incomplete');
  assert.equal(decodeTransportHeader(enc.subarray(0, enc.length - 1)).kind, 'incomplete');
  assert.equal(decodeTransportHeader(Buffer.from('GET / HTTP/1.1\r\n')).kind, 'invalid');
  const zeroPort = Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 2, 0x08, 0x00])]);
  assert.deepEqual(decodeTransportHeader(zeroPort), { kind: 'invalid', reason: 'invalid port 0' });
  // Unknown field 9 (varint) is skipped.
  const r = decodeTransportHeader(Buffer.concat([PREFACE, Buffer.from([0, 0, 0, 4, 0x48, 0x01, 0x08, 0x50])]));
  assert.deepEqual(r, { kind: 'header', header: { port: 80 }, consumed: 31 });
});
