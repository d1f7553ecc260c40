import { setMaxListeners } from 'node:events';
import type { Clock } from './clock.js';
import { SkipCheck, type Category, type CheckResult, type CheckSpec } from './model.js';

export interface RunnerOptions {
  clock: Clock;
  /** `--wait`: retryable checks keep trying until start + waitMs (one deadline for the whole run). */
  waitMs: number;
  /** Hint URL prefix, e.g. `https://linkerd.io/2/checks/#`. */
  hintBase: string;
  /** Per-attempt limit (upstream gives each attempt its own 30 s context). */
  attemptTimeoutMs?: number;
  /** Pause between attempts of a failing retryable check. */
  retryIntervalMs?: number;
  /** Debug log (`--verbose`): skip reasons and retried errors. */
  debug?: (line: string) => void;
}

export const WAITING_MESSAGE = 'waiting for check to complete';
const ATTEMPT_TIMEOUT_MS = 30_000;
const RETRY_INTERVAL_MS = 5_000;

type Final = { skipped: true } | { skipped: false; result: CheckResult; stopsRun: boolean };

/** One check's progress, shared between its executor and the in-order reporter. */
interface Slot {
  category: string;
  check: CheckSpec;
  retries: CheckResult[];
  final?: Final;
  wake?: () => void;
}

/**
 * Runs every check concurrently but yields results strictly in category/check order, so output
 * matches a sequential run. A fatal failure ends the run: later checks are aborted and their
 * results discarded. While the check being reported retries, its latest retry report is yielded.
 */
export async function* runChecks(categories: readonly Category[], options: RunnerOptions): AsyncGenerator<CheckResult> {
  const stopAll = new AbortController();
  // Every concurrent attempt listens for the stop; that is by design, not a leak.
  setMaxListeners(0, stopAll.signal);
  const deadline = options.clock.now() + options.waitMs;
  const slots: Slot[] = categories.flatMap((c) => c.checks.map((check) => ({ category: c.id, check, retries: [] })));
  for (const slot of slots) void execute(slot, options, deadline, stopAll.signal);
  try {
    for (const slot of slots) {
      while (slot.final === undefined) {
        const latest = slot.retries.at(-1);
        slot.retries = [];
        if (latest !== undefined) yield latest;
        else await new Promise<void>((resolve) => (slot.wake = resolve));
      }
      if (slot.final.skipped) continue;
      yield slot.final.result;
      if (slot.final.stopsRun) return;
    }
  } finally {
    stopAll.abort(new Error('check run stopped'));
  }
}

async function execute(slot: Slot, options: RunnerOptions, deadline: number, stop: AbortSignal): Promise<void> {
  const { check, category } = slot;
  const notify = (): void => {
    const wake = slot.wake;
    slot.wake = undefined;
    wake?.();
  };
  for (;;) {
    if (stop.aborted) return;
    try {
      const extra = await attempt(check, options, stop);
      const description = extra ? `${check.description}\n${extra}` : check.description;
      slot.final = { skipped: false, stopsRun: false, result: { category, description, warning: false, retry: false } };
    } catch (err) {
      if (err instanceof SkipCheck) {
        options.debug?.(`Skipping check: ${check.description}. Reason: ${err.reason}`);
        slot.final = { skipped: true };
      } else if (check.retry === true && options.clock.now() < deadline) {
        options.debug?.(`Retrying on error: ${errorText(err)}`);
        slot.retries.push({
          category,
          description: check.description,
          error: check.surfaceErrorOnRetry === true ? errorText(err) : WAITING_MESSAGE,
          warning: check.warning === true,
          retry: true,
        });
        notify();
        try {
          await options.clock.sleep(options.retryIntervalMs ?? RETRY_INTERVAL_MS, stop);
        } catch {
          return;
        }
        continue;
      } else {
        slot.final = {
          skipped: false,
          stopsRun: check.fatal === true && check.warning !== true,
          result: {
            category,
            description: check.description,
            hintUrl: options.hintBase + check.hintAnchor,
            error: errorText(err),
            warning: check.warning === true,
            retry: false,
          },
        };
      }
    }
    notify();
    return;
  }
}

/** One attempt, bounded by its own timeout and by the run being stopped. */
async function attempt(check: CheckSpec, options: RunnerOptions, stop: AbortSignal): Promise<string | void> {
  const ctl = new AbortController();
  const onStop = (): void => ctl.abort(stop.reason);
  stop.addEventListener('abort', onStop, { once: true });
  const timeout = new Promise<never>((_, reject) => {
    options.clock.sleep(options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS, ctl.signal).then(
      () => reject(new Error('context deadline exceeded')),
      () => undefined,
    );
  });
  try {
    return await Promise.race([check.run(ctl.signal), timeout]);
  } finally {
    stop.removeEventListener('abort', onStop);
    ctl.abort(new Error('check attempt finished'));
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
