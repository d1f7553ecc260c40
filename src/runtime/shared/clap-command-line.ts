// Command-line syntax of the Rust data-plane helpers (clap): `--name value`, `--name=value`,
// `-x value`, `-xvalue`, `-x=value`, clustered short switches (`-Sv`), `--` ends the options.
// Used by linkerd-await and linkerd2-network-validator.
import { L5D_VERSION } from '../../version.js';
import { DurationError, parseHelperDuration } from './data-plane-duration.js';

export interface OptionSpec {
  long: string;
  short?: string;
  /** Takes a value (otherwise a switch). */
  value: boolean;
}

export interface ParsedArgs {
  /** Values by long name; switches are `true`. A repeated option keeps the last value. */
  options: Map<string, string | true>;
  /** The first positional argument and everything after it, or everything after `--`. */
  positionals: string[];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** What a command line asks for: a run with options, or clap's `--help` / `--version`. */
export type Invocation<Options> = { kind: 'run'; options: Options } | { kind: 'help' } | { kind: 'version' };

/** sysexits' EX_USAGE, clap's exit code for a bad command line. */
const EX_USAGE = 2;

/**
 * clap's handling of a command line before the program runs: `--help` and `--version` print to
 * stdout and exit 0, a usage error prints clap's message to stderr and exits 2.
 */
export function optionsOrExit<Options>(
  parse: () => Invocation<Options>,
  program: { name: string; usage: string },
): { options: Options } | { exit: number } {
  let invocation: Invocation<Options>;
  try {
    invocation = parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n\nFor more information, try '--help'.\n`);
    return { exit: EX_USAGE };
  }
  if (invocation.kind === 'run') return { options: invocation.options };
  process.stdout.write(invocation.kind === 'help' ? program.usage : `${program.name} ${L5D_VERSION}\n`);
  return { exit: 0 };
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const options = new Map<string, string | true>();
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.flatMap((s) => (s.short ? [[s.short, s] as const] : [])));
  let i = 0;
  const valueFor = (spec: OptionSpec, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    const next = argv[++i];
    if (next === undefined) throw new UsageError(`a value is required for '--${spec.long}' but none was supplied`);
    return next;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq >= 0 ? eq : undefined);
      const spec = byLong.get(name);
      if (spec === undefined) throw new UsageError(`unexpected argument '--${name}' found`);
      const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      if (!spec.value && inline !== undefined)
        throw new UsageError(`unexpected value '${inline}' for '--${name}' found`);
      options.set(spec.long, spec.value ? valueFor(spec, inline) : true);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    for (let c = 1; c < arg.length; c++) {
      const spec = byShort.get(arg[c] ?? '');
      if (spec === undefined) throw new UsageError(`unexpected argument '-${arg[c]}' found`);
      if (!spec.value) {
        options.set(spec.long, true);
        continue;
      }
      const rest = arg.slice(c + 1).replace(/^=/, '');
      options.set(spec.long, valueFor(spec, rest === '' ? undefined : rest));
      break;
    }
  }
  return { options, positionals: argv.slice(i) };
}

/** Parses a TCP port (1-65535) given to `--name`. */
export function parsePort(name: string, raw: string): number {
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(`invalid value '${raw}' for '--${name}': expected a port number between 1 and 65535`);
  }
  return port;
}

/** Parses a duration given to `--name` (`2m`, `1m30s`, `500ms`), in milliseconds. */
export function parseDurationOption(name: string, raw: string): number {
  try {
    return parseHelperDuration(raw);
  } catch (err) {
    if (err instanceof DurationError) throw new UsageError(`invalid value '${raw}' for '--${name}': ${err.message}`);
    throw err;
  }
}
