/**
 * Ends a command with `message` printed verbatim to stderr (no `Error:` prefix): Linkerd's install
 * and check paths print their own text and exit, bypassing cobra's error style.
 */
export class ExitError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** A command-line misuse: printed as `Error: <msg>` followed by a usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
