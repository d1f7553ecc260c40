// Durations of the data-plane helpers' flags. Upstream accepts `<integer><unit>` with units
// ms/s/m/h/d and a bare `0`; l5d also accepts Go-style compounds such as `1m30s` and decimals.
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const SEGMENT = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Parses `2m`, `30s`, `500ms`, `1d`, `1m30s` or `0` to milliseconds. */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (input === '0') return 0;
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/.test(input)) {
    throw new DurationError(
      `invalid duration ${JSON.stringify(text)}: expected a number with a unit (ms, s, m, h or d), e.g. 2m, 30s, 500ms`,
    );
  }
  let total = 0;
  for (const [, amount, unit] of input.matchAll(SEGMENT)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  if (!Number.isSafeInteger(Math.round(total)))
    throw new DurationError(`duration ${JSON.stringify(text)} is too large`);
  return Math.round(total);
}
