const DURATION_UNITS_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Parses a Go duration (`1m30s`, `6s5ms`, `0`) into nanoseconds; undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const body = trimmed.replace(/^[+-]/, '');
  if (!/^((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(body)) return undefined;
  let total = 0;
  for (const [, num, unit] of body.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(num) * DURATION_UNITS_NS[unit!]!;
  }
  return trimmed.startsWith('-') ? -total : total;
}

/** Formats seconds the way Go's `time.Duration.String()` does (`60` → `1m0s`, `3600` → `1h0m0s`). */
export function formatGoDurationSeconds(totalSeconds: number): string {
  if (totalSeconds === 0) return '0s';
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Kubernetes' canonical form for the common case of a fractional plain number (`0.5` → `500m`). */
export function canonicalQuantity(text: string): string {
  const trimmed = text.trim();
  if (!/^\d*\.\d+$/.test(trimmed)) return trimmed;
  const milli = Math.round(Number(trimmed) * 1e9) / 1e6;
  if (!Number.isInteger(milli)) return trimmed;
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
