import { Command, type Interfaces } from '@oclif/core';
import { rootFlags, toRootOptions, type RootOptions } from './root-flags.js';
import { UsageError, ExitError } from './errors.js';
import { normalizeBooleanAssignments } from './boolean-flags.js';

let stdoutGuarded = false;

/**
 * A failed write to stdout (a full disk, `/dev/full`, a closed pipe) arrives as an 'error' event
 * after the write returns; unhandled it is a stack trace. It becomes one line and exit 1, and a
 * reader that went away (`| head`) ends the command quietly, as a Go CLI dies on SIGPIPE.
 */
function reportStdoutErrors(): void {
  if (stdoutGuarded) return;
  stdoutGuarded = true;
  // Ahead of oclif's own listener, which rethrows everything but EPIPE.
  process.stdout.prependListener('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.stderr.write(`Error: cannot write the output: ${err.message}\n`);
    process.exit(1);
  });
}

export type BaseFlags = Interfaces.InferredFlags<typeof BaseCommand.baseFlags>;

/**
 * Every l5d command: root flags, Linkerd-style error reporting (`Error: <msg>` on stderr, exit 1)
 * and all-or-nothing stdout (commands write their output once, after it is complete).
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = rootFlags;

  /** Resolved root options; set in `init`. */
  protected root!: RootOptions;

  public override async init(): Promise<void> {
    await super.init();
    this.argv = normalizeBooleanAssignments(this.argv, { ...BaseCommand.baseFlags, ...this.ctor.flags });
    const { flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: BaseCommand.baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.root = toRootOptions(flags as BaseFlags);
  }

  /** Writes complete output to stdout in one call, so a failing command never leaves half a manifest. */
  protected emit(text: string): void {
    reportStdoutErrors();
    process.stdout.write(text);
  }

  protected warnLine(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (err instanceof ExitError) {
      if (err.message) process.stderr.write(err.message.endsWith('\n') ? err.message : `${err.message}\n`);
      this.exit(err.exitCode);
    }
    // oclif's own exits (this.exit) and parse errors keep their behaviour.
    if (err.oclif?.exit !== undefined && !(err instanceof UsageError)) return super.catch(err);
    process.stderr.write(`Error: ${err.message}\n`);
    if (err instanceof UsageError) process.stderr.write(`Usage: l5d ${this.id ?? ''} [flags]\n`);
    this.exit(1);
  }
}
