// Runs a proxy-init plan with the iptables binaries of the selected mode (spec proxy §8.2, §8.4).
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { IptablesMode, ProxyInitOptions } from './flags.js';
import { planRules } from './plan.js';

export interface Binaries {
  iptables: string;
  save: string;
}

const PAIRS: Record<IptablesMode, { v4: Binaries; v6: Binaries }> = {
  legacy: {
    v4: { iptables: 'iptables-legacy', save: 'iptables-legacy-save' },
    v6: { iptables: 'ip6tables-legacy', save: 'ip6tables-legacy-save' },
  },
  nft: {
    v4: { iptables: 'iptables-nft', save: 'iptables-nft-save' },
    v6: { iptables: 'ip6tables-nft', save: 'ip6tables-nft-save' },
  },
  plain: { v4: { iptables: 'iptables', save: 'iptables-save' }, v6: { iptables: 'ip6tables', save: 'ip6tables-save' } },
};
const FALLBACK_ORDER: IptablesMode[] = ['nft', 'plain', 'legacy'];

export type Log = (level: 'info' | 'warn' | 'error' | 'debug', msg: string) => void;

function onPath(bin: string, path: string): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The binaries for `mode` and family, falling back to the first available pair. */
export function selectBinaries(
  mode: IptablesMode,
  family: 'v4' | 'v6',
  log: Log,
  path = process.env['PATH'] ?? '',
): Binaries {
  const wanted = PAIRS[mode][family];
  if (onPath(wanted.iptables, path) && onPath(wanted.save, path)) return wanted;
  for (const m of FALLBACK_ORDER) {
    const pair = PAIRS[m][family];
    if (onPath(pair.iptables, path) && onPath(pair.save, path)) {
      log('warn', `${wanted.iptables} not found; falling back to ${pair.iptables}`);
      return pair;
    }
  }
  return wanted;
}

export class CommandError extends Error {}

export interface Runner {
  run(argv: string[]): { code: number; output: string };
}

export function systemRunner(netns: string): Runner {
  return {
    run(argv) {
      const full = netns ? ['nsenter', `--net=${netns}`, '--', ...argv] : argv;
      const r = spawnSync(full[0] as string, full.slice(1), { encoding: 'utf8' });
      if (r.error) return { code: 127, output: r.error.message };
      return { code: r.status ?? 1, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
    },
  };
}

function run(runner: Runner, argv: string[], log: Log, simulate: boolean): string {
  log('info', argv.join(' '));
  if (simulate) return '';
  const r = runner.run(argv);
  if (r.output.trim() !== '') log('info', r.output.trimEnd());
  if (r.code !== 0)
    throw new CommandError(`failed to run "${argv.join(' ')}": exit status ${r.code}: ${r.output.trim()}`);
  return r.output;
}

/** Configures one family; returns the final `save` output. */
export function configureFamily(o: ProxyInitOptions, bins: Binaries, runner: Runner, log: Log): string {
  const save = run(runner, [bins.save, '-t', 'nat'], log, o.simulate);
  const plan = planRules(o, save);
  for (const s of plan.skipped) log('error', `invalid port ${JSON.stringify(s)} ignored`);
  for (const args of plan.commands) run(runner, [bins.iptables, ...args], log, o.simulate);
  return run(runner, [bins.save, '-t', 'nat'], log, o.simulate);
}

export function configure(o: ProxyInitOptions, runner: Runner, log: Log): void {
  if (o.timeoutCloseWaitSecs > 0) {
    run(
      runner,
      ['sysctl', '-w', `net.netfilter.nf_conntrack_tcp_timeout_close_wait=${o.timeoutCloseWaitSecs}`],
      log,
      o.simulate,
    );
  }
  configureFamily(o, selectBinaries(o.mode, 'v4', log), runner, log);
  if (o.ipv6) configureFamily(o, selectBinaries(o.mode, 'v6', log), runner, log);
}
