/** An IP network; addresses as bigints so IPv4 and IPv6 share one code path. */
export interface Cidr {
  v6: boolean;
  address: bigint;
  prefix: number;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function parseIPv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const all = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...tail];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseIp(text: string): { v6: boolean; address: bigint } | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { v6: false, address: v4 };
  const v6 = parseIPv6(text);
  return v6 === undefined ? undefined : { v6: true, address: v6 };
}

export function parseCidr(text: string): Cidr | undefined {
  const [ip, prefixText] = text.trim().split('/');
  const parsed = parseIp(ip ?? '');
  const prefix = Number(prefixText);
  if (parsed === undefined || prefixText === undefined || !Number.isInteger(prefix)) return undefined;
  if (prefix < 0 || prefix > (parsed.v6 ? 128 : 32)) return undefined;
  return { ...parsed, prefix };
}

export function containsIp(network: Cidr, ip: { v6: boolean; address: bigint }): boolean {
  if (network.v6 !== ip.v6) return false;
  const shift = BigInt((network.v6 ? 128 : 32) - network.prefix);
  return ip.address >> shift === network.address >> shift;
}
