// Minimal TLS ClientHello parser used to route inbound TLS by SNI before terminating it
// (spec proxy §3.1 step 4).
export type ClientHelloResult =
  { kind: 'client_hello'; sni: string | undefined } | { kind: 'incomplete' } | { kind: 'not_tls' };

export function parseClientHello(buf: Buffer): ClientHelloResult {
  if (buf.length < 1) return { kind: 'incomplete' };
  if (buf[0] !== 22) return { kind: 'not_tls' };
  if (buf.length < 5) return { kind: 'incomplete' };
  if (buf[1] !== 3 || (buf[2] !== 1 && buf[2] !== 3)) return { kind: 'not_tls' };
  const recordLen = buf.readUInt16BE(3);
  if (buf.length < 9) return { kind: 'incomplete' };
  if (buf[5] !== 1 || buf[6] !== 0) return { kind: 'not_tls' };
  const hsLen = buf.readUIntBE(6, 3);
  // Handshakes larger than one record are not parsed; treat them as TLS without SNI.
  const end = 9 + hsLen;
  if (end > 5 + recordLen) return { kind: 'client_hello', sni: undefined };
  if (buf.length < end) return { kind: 'incomplete' };
  try {
    return { kind: 'client_hello', sni: readSni(buf.subarray(9, end)) };
  } catch {
    return { kind: 'not_tls' };
  }
}

function readSni(body: Buffer): string | undefined {
  if (body.readUInt16BE(0) !== 0x0303) throw new Error('client_version');
  let off = 2 + 32;
  off += 1 + body.readUInt8(off);
  off += 2 + body.readUInt16BE(off);
  off += 1 + body.readUInt8(off);
  if (off === body.length) return undefined;
  const extEnd = off + 2 + body.readUInt16BE(off);
  off += 2;
  while (off + 4 <= extEnd) {
    const type = body.readUInt16BE(off);
    const len = body.readUInt16BE(off + 2);
    off += 4;
    if (type === 0) {
      let p = off + 2;
      const listEnd = off + 2 + body.readUInt16BE(off);
      while (p + 3 <= listEnd) {
        const nameType = body.readUInt8(p);
        const nameLen = body.readUInt16BE(p + 1);
        if (nameType === 0) return body.toString('ascii', p + 3, p + 3 + nameLen);
        p += 3 + nameLen;
      }
      return undefined;
    }
    off += len;
  }
  return undefined;
}
