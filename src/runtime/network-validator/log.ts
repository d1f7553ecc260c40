// Logging in the shape of the Rust validator (tracing): `plain` lines
// `<time>  INFO linkerd_network_validator: <message> k=v`, or `json` objects, on stdout.
import { UsageError } from '../shared/clap-command-line.js';

export const TARGET = 'linkerd_network_validator';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];
/** The most verbose level that is written; `off` writes nothing. */
export type Threshold = Level | 'off';

export type Fields = Record<string, string | number>;

export interface Logger {
  trace(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export type LogFormat = 'plain' | 'json';

export function parseLogFormat(raw: string): LogFormat {
  const format = raw.toLowerCase();
  if (format !== 'plain' && format !== 'json') {
    throw new UsageError(`invalid value '${raw}' for '--log-format': expected plain or json`);
  }
  return format;
}

/**
 * The threshold for this program's target from an EnvFilter-style filter (`debug`,
 * `warn,linkerd=debug`): the directive with the longest matching target wins, a bare level is the
 * default. Span directives (`[...]`) never match the validator's events, which run outside spans.
 */
export function parseLogLevel(raw: string): Threshold {
  let best: { length: number; level: Threshold } = { length: -1, level: 'error' };
  for (const directive of raw.split(',').map((d) => d.trim())) {
    if (directive === '' || directive.startsWith('[')) continue;
    const eq = directive.lastIndexOf('=');
    const target = eq >= 0 ? directive.slice(0, eq) : '';
    const levelText = eq >= 0 ? directive.slice(eq + 1) : directive;
    const level = toThreshold(levelText);
    if (level === undefined) {
      // A lone word that is not a level is a target enabled at every level.
      if (eq >= 0 || !/^[\w:]+$/.test(directive)) {
        throw new UsageError(`invalid value '${raw}' for '--log-level': unknown level '${levelText}'`);
      }
      if (TARGET.startsWith(directive) && directive.length > best.length)
        best = { length: directive.length, level: 'trace' };
      continue;
    }
    if (TARGET.startsWith(target) && target.length > best.length) best = { length: target.length, level };
  }
  return best.level;
}

function toThreshold(text: string): Threshold | undefined {
  const lower = text.toLowerCase();
  if (lower === 'off') return 'off';
  if (lower === 'warning') return 'warn';
  return (LEVELS as readonly string[]).includes(lower) ? (lower as Level) : undefined;
}

export function createLogger(threshold: Threshold, format: LogFormat, sink: NodeJS.WritableStream): Logger {
  const min = threshold === 'off' ? LEVELS.length : LEVELS.indexOf(threshold);
  const write =
    (level: Level) =>
    (message: string, fields: Fields = {}): void => {
      if (LEVELS.indexOf(level) < min) return;
      const timestamp = new Date().toISOString();
      if (format === 'json') {
        sink.write(
          `${JSON.stringify({ timestamp, level: level.toUpperCase(), fields: message === '' ? fields : { message, ...fields }, target: TARGET })}\n`,
        );
        return;
      }
      const text = [message, ...Object.entries(fields).map(([k, v]) => `${k}=${v}`)].filter((part) => part !== '');
      sink.write(`${timestamp} ${level.toUpperCase().padStart(5)} ${TARGET}: ${text.join(' ')}\n`);
    };
  return {
    trace: write('trace'),
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}
