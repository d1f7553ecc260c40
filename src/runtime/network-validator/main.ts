// linkerd2-network-validator: checks that the pod's NAT rules send outbound connections to the
// proxy's outbound port before the application starts (used when the CNI plugin installs them).
import { L5D_VERSION } from '../../version.js';
import { UsageError } from '../await/clap-args.js';
import { parseValidatorArgs, VALIDATOR_USAGE } from './flags.js';
import { createLogger, type Fields } from './log.js';
import { validate } from './validate.js';

/** Upstream's failure code (errno 95, "operation not supported"): what the chart and CNI docs expect. */
export const UNSUCCESSFUL_EXIT_CODE = 95;
const EX_USAGE = 2;

interface Failure {
  message: string;
  fields?: Fields;
}

export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let invocation;
  try {
    invocation = parseValidatorArgs(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n\nFor more information, try '--help'.\n`);
    return EX_USAGE;
  }
  if (invocation.kind === 'help') return print(VALIDATOR_USAGE);
  if (invocation.kind === 'version') return print(`linkerd2-network-validator ${L5D_VERSION}\n`);
  const { options } = invocation;
  const log = createLogger(options.logLevel, options.logFormat, process.stdout);

  const check = validate(options.listen, options.connect, log);
  let timer: NodeJS.Timeout | undefined;
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const failed = new Promise<Failure>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          message: 'Failed to validate networking configuration',
          fields: { timeout: `${options.timeoutMs}ms` },
        }),
      options.timeoutMs,
    );
    onSignal = (signal) => resolve({ message: `Killed by ${signal}` });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const outcome = await Promise.race([
    check.result.then(
      () => undefined,
      (err: unknown): Failure => ({ message: '', fields: { error: (err as Error).message } }),
    ),
    failed,
  ]);
  clearTimeout(timer);
  if (onSignal) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  check.close();
  if (outcome !== undefined) {
    log.error(outcome.message, outcome.fields);
    return UNSUCCESSFUL_EXIT_CODE;
  }
  log.info('Validated');
  return 0;
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}
