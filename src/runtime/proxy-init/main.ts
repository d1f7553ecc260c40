// l5d-proxy-init entry point (linkerd2-proxy-init compatible).
import { configure, systemRunner } from './exec.js';
import { FlagError, parseFlags } from './flags.js';

const LEVELS = ['debug', 'info', 'warn', 'error'];

export function main(argv: string[] = process.argv.slice(2)): number {
  let opts;
  try {
    opts = parseFlags(argv);
  } catch (err) {
    if (err instanceof FlagError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const min = Math.max(0, LEVELS.indexOf(opts.logLevel === 'warning' ? 'warn' : opts.logLevel));
  const log = (level: 'info' | 'warn' | 'error' | 'debug', msg: string): void => {
    if (LEVELS.indexOf(level) < min) return;
    const time = new Date().toISOString();
    const line =
      opts.logFormat === 'json'
        ? JSON.stringify({ level: level === 'warn' ? 'warning' : level, msg, time })
        : `time="${time}" level=${level === 'warn' ? 'warning' : level} msg=${JSON.stringify(msg)}`;
    process.stderr.write(`${line}\n`);
  };
  try {
    configure(opts, systemRunner(opts.netns), log);
    return 0;
  } catch (err) {
    log('error', (err as Error).message);
    return 1;
  }
}
