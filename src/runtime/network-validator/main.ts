// linkerd2-network-validator: checks that the pod's NAT rules send outbound connections to the
// proxy's outbound port before the application starts (used when the CNI plugin installs them).
import { optionsOrExit } from '../shared/clap-command-line.js';
import { parseValidatorArgs, VALIDATOR_USAGE } from './flags.js';
import { createLogger, type Fields } from './log.js';
import { validate } from './validate.js';

/** Upstream's failure code (errno 95, "operation not supported"): what the chart and CNI docs expect. */
export const UNSUCCESSFUL_EXIT_CODE = 95;

interface Failure {
  message: string;
  fields?: Fields;
}

export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const start = optionsOrExit(() => parseValidatorArgs(argv, env), {
    name: 'linkerd2-network-validator',
    usage: VALIDATOR_USAGE,
  });
  if ('exit' in start) return start.exit;
  const { options } = start;
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
