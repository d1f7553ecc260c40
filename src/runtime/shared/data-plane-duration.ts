// Durations in the Rust data plane's syntax (spec proxy §1.1): `<integer><unit>` with units
// ms/s/m/h/d, or a bare zero. linkerd2-proxy's LINKERD2_PROXY_* variables take exactly that; l5d's
// linkerd-await and network-validator flags also take compounds (`1m30s`) and decimals (`1.5s`).
// Pure and import-free: the sidecar proxy loads it.
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

const SINGLE = /^\d+(?:ms|s|m|h|d)$/;
const COMPOUND = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const SEGMENT = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Milliseconds, or why `text` is not a duration of the given syntax. */
function millisecondsOf(text: string, syntax: RegExp): number | 'unitless' | 'invalid' {
  const input = text.trim();
  if (/^\d+$/.test(input)) return Number(input) === 0 ? 0 : 'unitless';
  if (!syntax.test(input)) return 'invalid';
  let total = 0;
  for (const [, amount, unit] of input.matchAll(SEGMENT)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  return total;
}

/** A LINKERD2_PROXY_* duration (`10s`, `0`), in milliseconds; the message is the reason only. */
export function parseProxyDuration(value: string): number {
  const ms = millisecondsOf(value, SINGLE);
  if (ms === 'unitless') throw new DurationError('a duration needs a unit (ms, s, m, h, d) unless it is 0');
  if (ms === 'invalid') throw new DurationError('invalid duration');
  return ms;
}

/** A data-plane helper's flag value (`2m`, `1m30s`, `1.5s`, `0`), in whole milliseconds. */
export function parseHelperDuration(text: string): number {
  const ms = millisecondsOf(text, COMPOUND);
  if (typeof ms === 'string') {
    throw new DurationError(
      `invalid duration ${JSON.stringify(text)}: expected a number with a unit (ms, s, m, h or d), e.g. 2m, 30s, 500ms`,
    );
  }
  if (!Number.isSafeInteger(Math.round(ms))) throw new DurationError(`duration ${JSON.stringify(text)} is too large`);
  return Math.round(ms);
}
