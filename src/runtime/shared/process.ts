import { L5D_VERSION } from '../../version.js';
import { FlagError, parseGoFlags, type FlagDefs, type ParsedFlags } from './flags.js';
import { createLogger, type Logger } from './log.js';

/** Parses flags the Go way: a bad flag prints the error and exits 2, `-version` prints and exits 0. */
export function parseControllerFlags<D extends FlagDefs>(argv: readonly string[], defs: D): ParsedFlags<D> {
  try {
    const parsed = parseGoFlags(argv, defs);
    if (parsed.values.version === true) {
      process.stdout.write(`${L5D_VERSION}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

export function controllerLogger(component: string, level: string, format: string): Logger {
  try {
    return createLogger({ component, level, format });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Received ${signal}, shutting down`);
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

/** Logs a fatal error the way logrus' Fatalf does and exits 1. */
export function fatal(log: Logger, message: string): never {
  log.fatal(message);
  log.flush();
  process.exit(1);
}

export interface ErrorPolicyOptions {
  /** More uncaught exceptions than this within `windowMs` mean the process is broken: exit 1. */
  maxUncaught?: number;
  windowMs?: number;
  exit?: (code: number) => void;
}

/**
 * The long-running controllers' policy for errors nothing else caught: log them and keep serving.
 * A rejected promise never leaves shared state half-updated, so it is only logged. An uncaught
 * exception usually comes from one connection or request, so it is logged too, but a burst of them
 * says the process itself is broken, and exiting lets the kubelet restart it.
 */
export function keepServingOnUnexpectedErrors(log: Logger, options: ErrorPolicyOptions = {}): void {
  const maxUncaught = options.maxUncaught ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const recent: number[] = [];
  process.on('unhandledRejection', (reason) => {
    log.error({ err: describe(reason) }, 'unhandled promise rejection; still serving');
  });
  process.on('uncaughtException', (err) => {
    const now = Date.now();
    recent.push(now);
    while (recent.length > 0 && recent[0]! <= now - windowMs) recent.shift();
    if (recent.length > maxUncaught) {
      log.fatal({ err: describe(err) }, `${recent.length} uncaught exceptions within ${windowMs} ms; exiting`);
      log.flush();
      exit(1);
      return;
    }
    log.error({ err: describe(err) }, 'uncaught exception; still serving');
  });
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}
