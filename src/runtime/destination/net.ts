import { isIPv4, isIPv6 } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { TcpAddressSchema, type IPAddress, type TcpAddress } from '../../proto/gen/net_pb.js';

/** IPv4 as a big-endian u32; IPv6 as two big-endian u64 halves (proxy.md §5.2). */
export function ipToProto(ip: string): IPAddress['ip'] {
  if (isIPv4(ip)) {
    const n = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    return { case: 'ipv4', value: n >>> 0 };
  }
  if (isIPv6(ip)) {
    const bytes = ipv6Bytes(ip);
    const view = new DataView(bytes.buffer);
    return {
      case: 'ipv6',
      value: { $typeName: 'io.linkerd.proxy.net.IPv6', first: view.getBigUint64(0), last: view.getBigUint64(8) },
    };
  }
  throw new Error(`not an IP address: ${ip}`);
}

export function tcpAddress(ip: string, port: number): TcpAddress {
  return create(TcpAddressSchema, { ip: { ip: ipToProto(ip) }, port });
}

/** `ip:port` (IPv6 bracketed) for a proto address; undefined when it cannot be decoded. */
export function tcpAddressToString(addr: TcpAddress | undefined): string | undefined {
  const ip = addr?.ip?.ip;
  if (addr === undefined || ip === undefined) return undefined;
  if (ip.case === 'ipv4') {
    const n = ip.value;
    return `${[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')}:${addr.port}`;
  }
  if (ip.case === 'ipv6') {
    const view = new DataView(new ArrayBuffer(16));
    view.setBigUint64(0, ip.value.first);
    view.setBigUint64(8, ip.value.last);
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(view.getUint16(i * 2).toString(16));
    return `[${compressIpv6(groups)}]:${addr.port}`;
  }
  return undefined;
}

function ipv6Bytes(ip: string): Uint8Array {
  const [head = '', tail] = ip.split('::');
  const parse = (s: string) => (s === '' ? [] : s.split(':'));
  let headParts = parse(head);
  let tailParts = tail === undefined ? [] : parse(tail);
  const expandV4 = (parts: string[]) => {
    const last = parts[parts.length - 1];
    if (last === undefined || !last.includes('.')) return parts;
    const o = last.split('.').map(Number);
    return [
      ...parts.slice(0, -1),
      (((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16),
      (((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16),
    ];
  };
  if (tail === undefined) headParts = expandV4(headParts);
  else tailParts = expandV4(tailParts);
  const missing = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailParts];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 255;
  });
  return bytes;
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}
