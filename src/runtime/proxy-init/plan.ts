// The NAT rules proxy-init installs (spec proxy §8.3), as a pure function of the options and
// the current `iptables-save -t nat` output, so re-running never duplicates rules.
import type { ProxyInitOptions } from './flags.js';

export const REDIRECT_CHAIN = 'PROXY_INIT_REDIRECT';
export const OUTPUT_CHAIN = 'PROXY_INIT_OUTPUT';
const MAX_MULTIPORT = 15;

export interface PortEntry {
  /** As printed in rules and comments: `N` or `A:B`. */
  text: string;
  weight: 1 | 2;
}

/** Parses `N` / `A-B`; returns undefined (to be logged and skipped) when invalid. */
export function parsePortEntry(raw: string): PortEntry | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(raw.trim());
  if (!m || !m[1]) return undefined;
  const lo = Number(m[1]);
  if (lo < 0 || lo > 65535) return undefined;
  if (m[2] === undefined) return { text: String(lo), weight: 1 };
  const hi = Number(m[2]);
  if (hi > 65535 || hi < lo) return undefined;
  return lo === hi ? { text: String(lo), weight: 1 } : { text: `${lo}:${hi}`, weight: 2 };
}

/** Groups ports so that each multiport rule references at most 15 ports (a range counts 2). */
export function batchPorts(entries: readonly PortEntry[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let weight = 0;
  for (const e of entries) {
    if (weight + e.weight > MAX_MULTIPORT) {
      batches.push(current);
      current = [];
      weight = 0;
    }
    current.push(e.text);
    weight += e.weight;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface Plan {
  /** Arguments after `<iptables>`, each starting with `-t nat`. */
  commands: string[][];
  /** Entries that were not valid ports and were skipped. */
  skipped: string[];
}

/** iptables' comment match naming the rule, which `iptables-save` shows. */
function comment(name: string): string[] {
  return ['-m', 'comment', '--comment', `proxy-init/${name}`];
}

function returnRule(chain: string, match: readonly string[], name: string): string[] {
  return ['-A', chain, ...match, '-j', 'RETURN', ...comment(name)];
}

function redirectRule(chain: string, match: readonly string[], toPort: number, name: string): string[] {
  return ['-A', chain, '-p', 'tcp', ...match, '-j', 'REDIRECT', '--to-port', String(toPort), ...comment(name)];
}

/** The jump from a built-in chain into proxy-init's chain for it; `op` appends or deletes it. */
function jumpRule(op: '-A' | '-D', from: 'PREROUTING' | 'OUTPUT'): string[] {
  const [chain, name] = from === 'PREROUTING' ? [REDIRECT_CHAIN, 'prerouting'] : [OUTPUT_CHAIN, 'output'];
  return [op, from, '-j', chain, ...comment(`install-proxy-init-${name}`)];
}

function ignoreRules(chain: string, raw: readonly string[], skipped: string[]): string[][] {
  const entries: PortEntry[] = [];
  for (const r of raw) {
    const e = parsePortEntry(r);
    if (e) entries.push(e);
    else skipped.push(r);
  }
  return batchPorts(entries).map((batch) => {
    const list = batch.join(',');
    return returnRule(chain, ['-p', 'tcp', '--match', 'multiport', '--dports', list], `ignore-port-${list}`);
  });
}

function chainExists(save: string, chain: string): boolean {
  return save.split('\n').some((l) => l.startsWith(`:${chain} `) || l === `:${chain}`);
}

function jumpExists(save: string, from: string, chain: string): boolean {
  return save.split('\n').some((l) => l.startsWith(`-A ${from} `) && new RegExp(`-j ${chain}(\\s|$)`).test(l));
}

export function planRules(o: ProxyInitOptions, existingSave: string): Plan {
  const skipped: string[] = [];
  const rules: string[][] = [];
  rules.push([chainExists(existingSave, REDIRECT_CHAIN) ? '-F' : '-N', REDIRECT_CHAIN]);
  rules.push(...ignoreRules(REDIRECT_CHAIN, o.inboundPortsToIgnore, skipped));
  for (const cidr of o.subnetsToIgnore) {
    rules.push(['-A', REDIRECT_CHAIN, '-p', 'all', '-j', 'RETURN', '-s', cidr, ...comment(`ignore-subnet-${cidr}`)]);
  }
  if (o.portsToRedirect.length === 0) {
    rules.push(redirectRule(REDIRECT_CHAIN, [], o.incomingProxyPort, 'redirect-all-incoming-to-proxy-port'));
  } else {
    for (const p of o.portsToRedirect) {
      const match = ['--destination-port', String(p)];
      rules.push(redirectRule(REDIRECT_CHAIN, match, o.incomingProxyPort, `redirect-port-${p}-to-proxy-port`));
    }
  }
  if (!jumpExists(existingSave, 'PREROUTING', REDIRECT_CHAIN)) rules.push(jumpRule('-A', 'PREROUTING'));

  rules.push([chainExists(existingSave, OUTPUT_CHAIN) ? '-F' : '-N', OUTPUT_CHAIN]);
  if (o.proxyUid > 0) {
    rules.push(returnRule(OUTPUT_CHAIN, ['-m', 'owner', '--uid-owner', String(o.proxyUid)], 'ignore-proxy-user-id'));
  }
  if (o.proxyGid > 0) {
    rules.push(returnRule(OUTPUT_CHAIN, ['-m', 'owner', '--gid-owner', String(o.proxyGid)], 'ignore-proxy-group-id'));
  }
  rules.push(returnRule(OUTPUT_CHAIN, ['-o', 'lo'], 'ignore-loopback'));
  rules.push(...ignoreRules(OUTPUT_CHAIN, o.outboundPortsToIgnore, skipped));
  rules.push(redirectRule(OUTPUT_CHAIN, [], o.outgoingProxyPort, 'redirect-all-outgoing-to-proxy-port'));
  if (!jumpExists(existingSave, 'OUTPUT', OUTPUT_CHAIN)) rules.push(jumpRule('-A', 'OUTPUT'));
  const commands = rules.map((r) => ['-t', 'nat', ...r, ...(o.useWaitFlag ? ['-w'] : [])]);
  return { commands, skipped };
}

/** Rules removing everything proxy-init installed (the CNI variant's cleanup). */
export function planCleanup(existingSave: string): string[][] {
  const out: string[][] = [];
  if (jumpExists(existingSave, 'PREROUTING', REDIRECT_CHAIN)) out.push(['-t', 'nat', ...jumpRule('-D', 'PREROUTING')]);
  if (jumpExists(existingSave, 'OUTPUT', OUTPUT_CHAIN)) out.push(['-t', 'nat', ...jumpRule('-D', 'OUTPUT')]);
  for (const chain of [REDIRECT_CHAIN, OUTPUT_CHAIN]) {
    if (chainExists(existingSave, chain)) out.push(['-t', 'nat', '-F', chain], ['-t', 'nat', '-X', chain]);
  }
  return out;
}
