// Peak-EWMA load estimate of one endpoint (spec proxy §6.1).
export interface EwmaParams {
  defaultRttMs: number;
  decayMs: number;
}

export const DEFAULT_EWMA: EwmaParams = { defaultRttMs: 30, decayMs: 10_000 };

export class PeakEwma {
  private estimateNs: number;
  private updatedAt: number;
  pending = 0;

  constructor(
    private readonly params: EwmaParams = DEFAULT_EWMA,
    now: number = performance.now(),
  ) {
    this.estimateNs = Math.max(params.defaultRttMs, 1) * 1e6;
    this.updatedAt = now;
  }

  private decayTo(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.estimateNs *= Math.exp(-elapsed / this.params.decayMs);
    this.updatedAt = now;
  }

  /** `rtt_estimate × (pending + 1)`; reading decays the estimate towards zero. */
  load(now: number = performance.now()): number {
    this.decayTo(now);
    return this.estimateNs * (this.pending + 1);
  }

  observe(sampleMs: number, now: number = performance.now()): void {
    const sampleNs = sampleMs * 1e6;
    const elapsed = Math.max(0, now - this.updatedAt);
    if (sampleNs > this.estimateNs) {
      this.estimateNs = sampleNs;
    } else {
      const w = Math.exp(-elapsed / this.params.decayMs);
      this.estimateNs = this.estimateNs * w + sampleNs * (1 - w);
    }
    this.updatedAt = now;
  }

  get rttEstimateMs(): number {
    return this.estimateNs / 1e6;
  }
}
