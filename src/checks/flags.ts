export const OUTPUT_FORMATS = ['table', 'json', 'short'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface ModeFlags {
  pre: boolean;
  crds: boolean;
  proxy: boolean;
  linkerdCniEnabled: boolean;
  output: string;
}

const PREFIX = 'Validation error when executing check command: ';

/** Upstream's flag rules (§1.4); returns the full message, or undefined when the flags are fine. */
export function validateCheckFlags(flags: ModeFlags): string | undefined {
  let problem: string | undefined;
  if (flags.pre && flags.proxy) problem = '--pre and --proxy flags are mutually exclusive';
  else if (flags.pre && flags.crds) problem = '--pre and --crds flags are mutually exclusive';
  else if (flags.linkerdCniEnabled && !flags.pre) problem = '--linkerd-cni-enabled can only be used with --pre';
  else if (!(OUTPUT_FORMATS as readonly string[]).includes(flags.output)) {
    problem = `Invalid output type '${flags.output}'. Supported output types are: json, table, short`;
  }
  return problem === undefined ? undefined : PREFIX + problem;
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go `time.ParseDuration` syntax (`5m0s`, `1.5h`, `300ms`), in milliseconds. */
export function parseGoDuration(text: string): number {
  const invalid = (): Error => new Error(`time: invalid duration "${text}"`);
  const m = /^([-+]?)(.*)$/.exec(text);
  const body = m?.[2] ?? '';
  if (body === '0') return 0;
  if (body === '') throw invalid();
  let total = 0;
  let rest = body;
  while (rest !== '') {
    const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!part?.[1] || !part[2]) throw invalid();
    total += Number(part[1]) * (UNIT_MS[part[2]] ?? 0);
    rest = rest.slice(part[0].length);
  }
  return m?.[1] === '-' ? -total : total;
}
