// linkerd-await's command line: `linkerd-await [OPTIONS] [-- CMD ARGS...]`.
import {
  parseArgs,
  parseDurationOption,
  parsePort,
  UsageError,
  type Invocation,
  type OptionSpec,
} from '../shared/clap-command-line.js';

export interface AwaitOptions {
  port: number;
  backoffMs: number;
  /** Undefined: wait for as long as it takes. */
  timeout?: { ms: number; text: string };
  shutdown: boolean;
  verbose: boolean;
  /** The command to run once the proxy is ready, with its arguments. */
  command?: { file: string; args: string[] };
}

const OPTIONS: OptionSpec[] = [
  { long: 'port', short: 'p', value: true },
  { long: 'backoff', short: 'b', value: true },
  { long: 'timeout', short: 't', value: true },
  { long: 'shutdown', short: 'S', value: false },
  { long: 'verbose', short: 'v', value: false },
  { long: 'help', short: 'h', value: false },
  { long: 'version', short: 'V', value: false },
];

export const AWAIT_USAGE = `Wait for linkerd to become ready before running a program

Usage: linkerd-await [OPTIONS] [-- CMD [ARGS]...]

Arguments:
  [CMD]      The command to run after linkerd is ready
  [ARGS]...  Arguments to pass to CMD if specified

Options:
  -p, --port <PORT>        The port of the local Linkerd proxy admin server [default: 4191]
  -b, --backoff <BACKOFF>  Time to wait after a failed readiness check [default: 1s]
  -t, --timeout <TIMEOUT>  Fail when the proxy does not become ready within this time (e.g. 2m, 30s, 500ms)
  -S, --shutdown           Runs CMD as a child and triggers proxy shutdown when it completes
  -v, --verbose            Prints a message when disabled [env: LINKERD_AWAIT_VERBOSE=]
  -h, --help               Print help
  -V, --version            Print version

Set LINKERD_AWAIT_DISABLED (or LINKERD_DISABLED) to any non-empty value to skip the readiness check.
`;

export function parseAwaitArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Invocation<AwaitOptions> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (options.has('help')) return { kind: 'help' };
  if (options.has('version')) return { kind: 'version' };
  const text = (name: string): string | undefined => {
    const v = options.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const [file, ...args] = positionals;
  const shutdown = options.has('shutdown');
  if (shutdown && file === undefined) throw new UsageError("'--shutdown' requires a command to run");
  const timeoutText = text('timeout');
  return {
    kind: 'run',
    options: {
      port: parsePort('port', text('port') ?? '4191'),
      backoffMs: parseDurationOption('backoff', text('backoff') ?? '1s'),
      ...(timeoutText === undefined
        ? {}
        : { timeout: { ms: parseDurationOption('timeout', timeoutText), text: timeoutText } }),
      shutdown,
      verbose: options.has('verbose') || isTruthy(env['LINKERD_AWAIT_VERBOSE']),
      ...(file === undefined ? {} : { command: { file, args } }),
    },
  };
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && value !== '' && !['0', 'false', 'no', 'off'].includes(value.toLowerCase());
}

/** Why the readiness check is skipped: the first non-empty of the two variables upstream honours. */
export function disabledReason(env: NodeJS.ProcessEnv): string | undefined {
  return [env['LINKERD_AWAIT_DISABLED'], env['LINKERD_DISABLED']].find((v) => v !== undefined && v !== '');
}
