// Consecutive-failures circuit breaker per endpoint (spec proxy §6.2).
export interface BackoffParams {
  minMs: number;
  maxMs: number;
  jitter: number;
}

export interface ConsecutiveFailuresParams {
  maxFailures: number;
  backoff: BackoffParams;
}

/** linkerd2 policy-controller defaults for `balancer.linkerd.io/failure-accrual: consecutive`. */
export const DEFAULT_CONSECUTIVE: ConsecutiveFailuresParams = {
  maxFailures: 7,
  backoff: { minMs: 1000, maxMs: 60_000, jitter: 0.5 },
};

export function backoffDelay(p: BackoffParams, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(p.maxMs, p.minMs * 2 ** attempt);
  return Math.min(p.maxMs, base + random() * base * p.jitter);
}

export type BreakerState = 'open' | 'shut' | 'probation';

export class ConsecutiveFailures {
  private failures = 0;
  private shutUntil = 0;
  private shutCount = 0;
  private probeInFlight = false;
  private _state: BreakerState = 'open';

  constructor(
    private readonly params: ConsecutiveFailuresParams = DEFAULT_CONSECUTIVE,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  get state(): BreakerState {
    if (this._state === 'shut' && this.now() >= this.shutUntil) {
      this._state = 'probation';
      this.probeInFlight = false;
    }
    return this._state;
  }

  /** Whether a new request may be sent; in probation exactly one is let through. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'open') return true;
    if (s === 'probation' && !this.probeInFlight) {
      this.probeInFlight = true;
      return true;
    }
    return false;
  }

  isReady(): boolean {
    const s = this.state;
    return s === 'open' || (s === 'probation' && !this.probeInFlight);
  }

  record(success: boolean): void {
    const s = this.state;
    if (s === 'shut') return;
    if (success) {
      this.failures = 0;
      this.shutCount = 0;
      this._state = 'open';
      return;
    }
    if (s === 'probation') {
      this.shut();
      return;
    }
    this.failures++;
    if (this.failures >= this.params.maxFailures) this.shut();
  }

  private shut(): void {
    this._state = 'shut';
    this.shutUntil = this.now() + backoffDelay(this.params.backoff, this.shutCount, this.random);
    this.shutCount++;
    this.failures = 0;
  }
}
