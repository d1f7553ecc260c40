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
