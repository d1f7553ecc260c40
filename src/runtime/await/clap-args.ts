// Command-line syntax of the Rust data-plane helpers (clap): `--name value`, `--name=value`,
// `-x value`, `-xvalue`, `-x=value`, clustered short switches (`-Sv`), `--` ends the options.
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
