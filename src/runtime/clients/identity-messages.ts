// The two messages of io.linkerd.proxy.identity.Identity/Certify (proto/identity.proto), coded
// with protobuf-es's wire reader and writer. Why not the generated schemas: they load protobuf's
// reflection runtime and decode file descriptors, ~5 MiB of RSS in every meshed pod, for three
// fields each way. test/unit/identity-messages.test.ts checks both directions against the schemas.
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

export const CERTIFY_PATH = '/io.linkerd.proxy.identity.Identity/Certify';

export interface CertifyRequest {
  identity: string;
  token: Uint8Array;
  certificateSigningRequest: Uint8Array;
}

export interface CertifyResponse {
  leafCertificate: Uint8Array;
  intermediateCertificates: Uint8Array[];
  /** google.protobuf.Timestamp valid_until, as a Date; absent when the field is. */
  validUntil: Date | undefined;
}

/** proto3: fields at their default value are not written. */
export function encodeCertifyRequest(req: CertifyRequest): Uint8Array {
  const w = new BinaryWriter();
  if (req.identity !== '') w.tag(1, WireType.LengthDelimited).string(req.identity);
  if (req.token.length > 0) w.tag(2, WireType.LengthDelimited).bytes(req.token);
  if (req.certificateSigningRequest.length > 0) w.tag(3, WireType.LengthDelimited).bytes(req.certificateSigningRequest);
  return w.finish();
}

export function decodeCertifyResponse(bytes: Uint8Array): CertifyResponse {
  const r = new BinaryReader(bytes);
  const res: CertifyResponse = {
    leafCertificate: new Uint8Array(0),
    intermediateCertificates: [],
    validUntil: undefined,
  };
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 1 && type === WireType.LengthDelimited) res.leafCertificate = r.bytes();
    else if (field === 2 && type === WireType.LengthDelimited) res.intermediateCertificates.push(r.bytes());
    else if (field === 3 && type === WireType.LengthDelimited) res.validUntil = decodeTimestamp(r.bytes());
    else r.skip(type, field);
  }
  return res;
}

function decodeTimestamp(bytes: Uint8Array): Date {
  const r = new BinaryReader(bytes);
  let seconds = 0n;
  let nanos = 0;
  while (r.pos < r.len) {
    const [field, type] = r.tag();
    if (field === 1 && type === WireType.Varint) seconds = BigInt(r.int64());
    else if (field === 2 && type === WireType.Varint) nanos = r.int32();
    else r.skip(type, field);
  }
  return new Date(Number(seconds) * 1000 + Math.floor(nanos / 1_000_000));
}
