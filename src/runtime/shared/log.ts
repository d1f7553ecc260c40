import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

const LEVELS: Record<string, LevelWithSilent> = {
  panic: 'fatal',
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
};

export interface LogOptions {
  level: string;
  format: string;
  component: string;
  /** Defaults to stderr; tests pass their own sink. */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured logging for controllers. `json` writes pino's JSON lines; `plain` renders the same
 * records as logfmt-style lines (`time=... level=info msg="..." key=value`) like the Go controllers.
 */
export function createLogger(opts: LogOptions): Logger {
  const level = LEVELS[opts.level.toLowerCase()];
  if (level === undefined) throw new Error(`invalid log-level: ${opts.level}`);
  if (opts.format !== 'plain' && opts.format !== 'json') throw new Error(`invalid log-format: ${opts.format}`);
  const sink = opts.destination ?? process.stderr;
  const base = { component: opts.component };
  if (opts.format === 'json') return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, sink);
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, plainStream(sink));
}

function plainStream(sink: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') sink.write(`${renderPlain(JSON.parse(line) as Record<string, unknown>)}\n`);
      }
      done();
    },
  });
}

const PINO_LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};

export function renderPlain(record: Record<string, unknown>): string {
  const { time, level, msg, pid: _pid, hostname: _hostname, ...fields } = record;
  const parts = [
    `time="${String(time)}"`,
    `level=${PINO_LEVEL_NAMES[Number(level)] ?? String(level)}`,
    `msg=${quote(String(msg ?? ''))}`,
  ];
  for (const [k, v] of Object.entries(fields))
    parts.push(`${k}=${quote(typeof v === 'string' ? v : JSON.stringify(v))}`);
  return parts.join(' ');
}

function quote(value: string): string {
  return /^[\w./:@-]+$/.test(value) ? value : JSON.stringify(value);
}
