// CIDR networks as the policy resources write them (`10.0.0.0/8`, `fd00::/8`, or a bare address).
import { isIPv4, isIPv6 } from 'node:net';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { IPNetworkSchema, type IPNetwork } from '../../proto/gen/net_pb.js';
import { ipToProto } from '../destination/net.js';

export interface Cidr {
  family: 4 | 6;
  /** The address with host bits cleared. */
  base: bigint;
  prefix: number;
  /** As written, with host bits cleared. */
  text: string;
}

export class CidrError extends Error {
  override name = 'CidrError';
}

function addressValue(ip: string): bigint {
  if (isIPv4(ip)) return ip.split('.').reduce((acc, part) => acc * 256n + BigInt(part), 0n);
  const view = new DataView(new ArrayBuffer(16));
  const proto = ipToProto(ip);
  if (proto.case !== 'ipv6') throw new CidrError(`invalid IP address: ${ip}`);
  view.setBigUint64(0, proto.value.first);
  view.setBigUint64(8, proto.value.last);
  return (view.getBigUint64(0) << 64n) | view.getBigUint64(8);
}

function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function parseCidr(text: string): Cidr {
  const [ip = '', prefixText, ...rest] = text.trim().split('/');
  const family = isIPv4(ip) ? 4 : isIPv6(ip) ? 6 : undefined;
  if (family === undefined || rest.length > 0) throw new CidrError(`invalid network: ${text}`);
  const bits = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d+$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) throw new CidrError(`invalid network: ${text}`);
  const hostBits = BigInt(bits - prefix);
  const base = (addressValue(ip) >> hostBits) << hostBits;
  return { family, base, prefix, text: `${formatAddress(family, base)}/${prefix}` };
}

/** Whether every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const bits = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return inner.base >> bits === outer.base >> bits;
}

export function cidrToProto(cidr: Cidr): MessageInitShape<typeof IPNetworkSchema> {
  const ip = formatAddress(cidr.family, cidr.base);
  return { ip: { ip: ipToProto(ip) }, prefixLen: cidr.prefix };
}

export function cidrMessage(cidr: Cidr): IPNetwork {
  return create(IPNetworkSchema, cidrToProto(cidr));
}

export const ALL_NETWORKS: readonly Cidr[] = [parseCidr('0.0.0.0/0'), parseCidr('::/0')];

/** A comma-separated flag value; empty entries are skipped. */
export function parseCidrList(value: string): Cidr[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseCidr);
}
