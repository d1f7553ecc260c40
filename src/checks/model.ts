/**
 * The check engine's data model. Checks are data (description, hint anchor, severity, retry
 * policy) plus an async body; results are plain records that the views render.
 */

/** Category IDs in upstream's fixed master order; categories always run (and print) in this order. */
export const CATEGORY_ORDER = [
  'kubernetes-api',
  'kubernetes-version',
  'gateway-api-crd',
  'pre-kubernetes-setup',
  'linkerd-crd',
  'linkerd-existence',
  'linkerd-config',
  'linkerd-cni-plugin',
  'linkerd-identity',
  'linkerd-webhooks-and-apisvc-tls',
  'linkerd-identity-data-plane',
  'linkerd-version',
  'control-plane-version',
  'linkerd-control-plane-proxy',
  'linkerd-data-plane',
  'linkerd-ha-checks',
  'linkerd-extension-checks',
] as const;

export type CategoryId = (typeof CATEGORY_ORDER)[number];

export interface CheckSpec {
  description: string;
  /** Anchor appended to the hint base URL, e.g. `k8s-api`. */
  hintAnchor: string;
  /** A failure stops every remaining check of the run. */
  fatal?: boolean;
  /** A failure is reported as `‼` and never fails the run. */
  warning?: boolean;
  /** Failing attempts are retried every 5 s until the shared `--wait` deadline. */
  retry?: boolean;
  /** While retrying, show the real error instead of `waiting for check to complete`. */
  surfaceErrorOnRetry?: boolean;
  /**
   * Throws to fail (the error's message is printed), throws `SkipCheck` to vanish from the output,
   * or resolves — optionally with an extra message appended to the description on its own line.
   */
  run(signal: AbortSignal): Promise<string | void>;
}

export interface Category {
  id: string;
  checks: readonly CheckSpec[];
}

/** Thrown by a check that does not apply; it counts as passed and prints nothing. */
export class SkipCheck extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SkipCheck';
  }
}

export interface CheckResult {
  category: string;
  description: string;
  /** Present only on failures and warnings. */
  hintUrl?: string;
  /** Present only on failures, warnings and retries. */
  error?: string;
  warning: boolean;
  /** An intermediate "still trying" report; never counted, never in JSON. */
  retry: boolean;
}

export type Outcome = 'success' | 'warning' | 'error';

export function outcomeOf(result: CheckResult): Outcome {
  if (result.error === undefined) return 'success';
  return result.warning ? 'warning' : 'error';
}

export interface RunSummary {
  /** No non-warning failure. */
  success: boolean;
  /** At least one warning. */
  warning: boolean;
}

/** Folds final results into the run's verdict (retry reports are ignored). */
export function summarize(results: Iterable<CheckResult>): RunSummary {
  let success = true;
  let warning = false;
  for (const r of results) {
    if (r.retry) continue;
    const outcome = outcomeOf(r);
    if (outcome === 'error') success = false;
    if (outcome === 'warning') warning = true;
  }
  return { success, warning };
}
