/**
 * Go `flag` package semantics for the controllers' command lines: `-name=value`, `--name=value`,
 * `-name value` (not for booleans), `-bool` meaning true; parsing stops at `--` or the first
 * non-flag argument.
 */
export type FlagKind = 'string' | 'bool' | 'int' | 'float';

export interface FlagDef<K extends FlagKind = FlagKind> {
  kind: K;
  default: FlagValue<K>;
  usage: string;
}

type FlagValue<K extends FlagKind> = K extends 'bool' ? boolean : K extends 'string' ? string : number;

export type FlagDefs = Record<string, FlagDef>;
export type FlagValues<D extends FlagDefs> = { [N in keyof D]: FlagValue<D[N]['kind']> };

export class FlagError extends Error {
  override name = 'FlagError';
}

export function flag<K extends FlagKind>(kind: K, defaultValue: FlagValue<K>, usage: string): FlagDef<K> {
  return { kind, default: defaultValue, usage };
}

export interface ParsedFlags<D extends FlagDefs> {
  values: FlagValues<D>;
  /** Names given explicitly on the command line. */
  set: Set<keyof D & string>;
  rest: string[];
}

export function parseGoFlags<D extends FlagDefs>(argv: readonly string[], defs: D): ParsedFlags<D> {
  const values: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(defs)) values[name] = def.default;
  const set = new Set<keyof D & string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const def = defs[name];
    if (def === undefined || name === '') throw new FlagError(`flag provided but not defined: -${name}`);
    let raw: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (raw === undefined && def.kind !== 'bool') {
      if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: -${name}`);
      raw = argv[++i];
    }
    values[name] = convert(name, def.kind, raw);
    set.add(name);
  }
  return { values: values as FlagValues<D>, set, rest: argv.slice(i) };
}

function convert(name: string, kind: FlagKind, raw: string | undefined): unknown {
  switch (kind) {
    case 'bool': {
      if (raw === undefined) return true;
      const v = parseGoBool(raw);
      if (v === undefined) throw new FlagError(`invalid boolean value "${raw}" for -${name}: parse error`);
      return v;
    }
    case 'int': {
      if (!/^[-+]?\d+$/.test(raw ?? '')) throw new FlagError(`invalid value "${raw}" for flag -${name}: parse error`);
      return Number(raw);
    }
    case 'float': {
      const n = Number(raw);
      if (raw === undefined || raw.trim() === '' || Number.isNaN(n)) {
        throw new FlagError(`invalid value "${raw}" for flag -${name}: parse error`);
      }
      return n;
    }
    case 'string':
      return raw ?? '';
  }
}

function parseGoBool(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}

/** Flags every Go controller accepts (linkerd2 pkg/flags). */
export const COMMON_FLAGS = {
  'log-level': flag('string', 'info', 'log level, must be one of: panic, fatal, error, warn, info, debug, trace'),
  'log-format': flag('string', 'plain', 'log format, must be one of: plain, json'),
  version: flag('bool', false, 'print version and exit'),
  'enable-pprof': flag('bool', false, 'Enable pprof endpoints on the admin server'),
  'trace-collector': flag('string', '', 'Enables OC Tracing with the specified endpoint as collector'),
  kubeconfig: flag('string', '', 'path to kube config'),
} as const;
