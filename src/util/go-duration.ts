// Go's `time.ParseDuration` syntax (`24h0m0s`, `1h30m`, `500ms`, `1.5s`, `0`) and `Duration.String()`
// form. Shared by the CLI (flags, inject annotations) and the controllers, so it imports nothing.
const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n, // U+00B5 micro sign
  μs: 1_000n, // U+03BC Greek mu; Go accepts both
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const SEGMENT = /(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/gy;

/**
 * Nanoseconds of a Go duration, or undefined when `text` is not one. Surrounding whitespace is
 * ignored. Each segment is computed in integer nanoseconds, as Go does, so decimals such as `2.3h`
 * or `1.005s` carry no binary floating-point error.
 */
export function goDurationNanos(text: string): number | undefined {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const body = /^[+-]/.test(trimmed) ? trimmed.slice(1) : trimmed;
  if (body === '0') return 0;
  if (body === '') return undefined;
  let total = 0n;
  let end = 0;
  SEGMENT.lastIndex = 0;
  for (let part = SEGMENT.exec(body); part !== null; part = SEGMENT.exec(body)) {
    const [, whole = '', fraction = '', unit = ''] = part;
    if (whole === '' && fraction === '') return undefined;
    const unitNs = UNIT_NS[unit] ?? 0n;
    total += BigInt(whole || '0') * unitNs;
    if (fraction !== '') total += (BigInt(fraction) * unitNs) / 10n ** BigInt(fraction.length);
    end = SEGMENT.lastIndex;
  }
  if (end !== body.length) return undefined;
  const ns = Number(total);
  return negative ? -ns : ns;
}

/** Milliseconds of a Go duration; throws Go's `time: invalid duration "<text>"` otherwise. */
export function parseGoDuration(text: string): number {
  const ns = goDurationNanos(text);
  if (ns === undefined) throw new Error(`time: invalid duration "${text}"`);
  return ns / 1e6;
}

/** Formats milliseconds the way Go's `Duration.String()` does for whole-millisecond values. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}
