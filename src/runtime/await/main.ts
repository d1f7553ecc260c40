// linkerd-await: waits for the local proxy's readiness, then optionally runs a command.
import { optionsOrExit } from '../shared/clap-command-line.js';
import { runCommand, type ChildOutcome } from './child.js';
import { AWAIT_USAGE, disabledReason, parseAwaitArgs, type AwaitOptions } from './flags.js';
import { requestShutdown, waitUntilReady } from './ready.js';

/** sysexits: the proxy did not become ready (EX_UNAVAILABLE), the command could not run (EX_OSERR). */
export const EX_UNAVAILABLE = 69;
export const EX_OSERR = 71;

/** How the process should end: an exit code, or dying of the signal that killed the command. */
export type AwaitExit = number | NodeJS.Signals;

export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<AwaitExit> {
  const start = optionsOrExit(() => parseAwaitArgs(argv, env), { name: 'linkerd-await', usage: AWAIT_USAGE });
  return 'exit' in start ? start.exit : awaitThenRun(start.options, env);
}

async function awaitThenRun(opts: AwaitOptions, env: NodeJS.ProcessEnv): Promise<AwaitExit> {
  const reason = disabledReason(env);
  if (reason !== undefined) {
    if (opts.verbose) process.stderr.write(`Linkerd readiness check skipped: ${reason}\n`);
    return opts.command ? asExec(await runCommand(opts.command.file, opts.command.args)) : 0;
  }
  const readiness = await waitUntilReady({ port: opts.port, backoffMs: opts.backoffMs, timeoutMs: opts.timeout?.ms });
  if (!readiness.ready) {
    process.stderr.write(
      `linkerd-await: linkerd-proxy failed to become ready within ${opts.timeout?.text} timeout ` +
        `(http://127.0.0.1:${opts.port}/ready; last check: ${readiness.lastError})\n`,
    );
    return EX_UNAVAILABLE;
  }
  if (!opts.command) return 0;
  const outcome = await runCommand(opts.command.file, opts.command.args);
  if (!opts.shutdown) return asExec(outcome);
  // Jobs: the proxy must stop once the work is done, or the pod never completes.
  const problem = await requestShutdown(opts.port);
  if (problem !== undefined) process.stderr.write(`linkerd-await: ${problem}\n`);
  if (outcome.kind === 'failed') process.stderr.write(`Failed to fork child program: ${outcome.message}\n`);
  return outcome.kind === 'exited' ? outcome.code : EX_OSERR;
}

function asExec(outcome: ChildOutcome): AwaitExit {
  if (outcome.kind === 'exited') return outcome.code;
  if (outcome.kind === 'signaled') return outcome.signal;
  process.stderr.write(`Failed to exec child program: ${outcome.message}\n`);
  return EX_OSERR;
}
