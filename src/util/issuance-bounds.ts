import { formatGoDuration } from './go-duration.js';

const HOUR_MS = 3_600_000;

/**
 * Bounds on the identity issuer's timing, shared by `install` (values) and the identity controller
 * (flags): a negative lifetime issues leaves that are already expired, and a years-long one defeats
 * rotation. Upstream accepts any duration.
 */
export const ISSUANCE_BOUNDS = {
  lifetimeMs: { min: 1_000, max: 365 * 24 * HOUR_MS },
  clockSkewMs: { min: 0, max: 24 * HOUR_MS },
} as const;

function check(what: string, ms: number, bounds: { min: number; max: number }): void {
  if (ms < bounds.min || ms > bounds.max) {
    throw new Error(
      `${what} must be between ${formatGoDuration(bounds.min)} and ${formatGoDuration(bounds.max)}, got ${formatGoDuration(ms)}`,
    );
  }
}

export function checkIssuanceLifetime(ms: number): void {
  check('identity issuance lifetime', ms, ISSUANCE_BOUNDS.lifetimeMs);
}

export function checkClockSkewAllowance(ms: number): void {
  check('identity clock skew allowance', ms, ISSUANCE_BOUNDS.clockSkewMs);
}
