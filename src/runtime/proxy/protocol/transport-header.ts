// The opaque-transport header exchanged between proxies (spec proxy §3.4):
// preface, 4-byte big-endian length, protobuf `transport.l5d.io.Header`.
export const TRANSPORT_ALPN = 'transport.l5d.io/v1';
export const PREFACE = Buffer.from('transport.l5d.io/v1\r\n\r\n');
export const MAX_HEADER_BUFFER = 64 * 1024;

export type SessionProtocol = 'http1' | 'http2';

export interface TransportHeader {
  port: number;
  name?: string;
  sessionProtocol?: SessionProtocol;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

export function encodeTransportHeader(h: TransportHeader): Buffer {
  const msg: number[] = [0x08, ...varint(h.port)];
  if (h.name) {
    const name = Buffer.from(h.name, 'utf8');
    msg.push(0x12, ...varint(name.length), ...name);
  }
  if (h.sessionProtocol) msg.push(0x1a, 2, h.sessionProtocol === 'http1' ? 0x0a : 0x12, 0);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  return Buffer.concat([PREFACE, len, Buffer.from(msg)]);
}

export type DecodeResult =
  | { kind: 'header'; header: TransportHeader; consumed: number }
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string };

class Cursor {
  constructor(
    readonly buf: Buffer,
    public off: number,
    readonly end: number,
  ) {}
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.off >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.off++] ?? 0;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }
  bytes(): Buffer {
    const len = this.varint();
    if (this.off + len > this.end) throw new Error('truncated field');
    const b = this.buf.subarray(this.off, this.off + len);
    this.off += len;
    return b;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.off += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.off += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (this.off > this.end) throw new Error('truncated field');
  }
}

function decodeSessionProtocol(buf: Buffer): SessionProtocol | undefined {
  const c = new Cursor(buf, 0, buf.length);
  let proto: SessionProtocol | undefined;
  while (c.off < c.end) {
    const key = c.varint();
    const field = key >>> 3;
    if (key % 8 === 2 && (field === 1 || field === 2)) {
      c.bytes();
      proto = field === 1 ? 'http1' : 'http2';
    } else c.skip(key % 8);
  }
  return proto;
}

export function decodeTransportHeader(buf: Buffer): DecodeResult {
  const prefix = Math.min(buf.length, PREFACE.length);
  if (!buf.subarray(0, prefix).equals(PREFACE.subarray(0, prefix)))
    return { kind: 'invalid', reason: 'missing transport header preface' };
  if (buf.length < PREFACE.length + 4) return { kind: 'incomplete' };
  const len = buf.readUInt32BE(PREFACE.length);
  if (PREFACE.length + 4 + len > MAX_HEADER_BUFFER) return { kind: 'invalid', reason: 'transport header too large' };
  const start = PREFACE.length + 4;
  if (buf.length < start + len) return { kind: 'incomplete' };
  try {
    const c = new Cursor(buf, start, start + len);
    const header: TransportHeader = { port: 0 };
    while (c.off < c.end) {
      const key = c.varint();
      const field = key >>> 3;
      const wire = key % 8;
      if (field === 1 && wire === 0) header.port = c.varint() | 0;
      else if (field === 2 && wire === 2) {
        const name = c.bytes().toString('utf8');
        if (name !== '') header.name = name;
      } else if (field === 3 && wire === 2) {
        const proto = decodeSessionProtocol(c.bytes());
        if (proto) header.sessionProtocol = proto;
      } else c.skip(wire);
    }
    if (header.port < 1 || header.port > 65535) return { kind: 'invalid', reason: `invalid port ${header.port}` };
    return { kind: 'header', header, consumed: start + len };
  } catch (err) {
    return { kind: 'invalid', reason: (err as Error).message };
  }
}
