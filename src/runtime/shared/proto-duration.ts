/** Splits milliseconds into a protobuf Duration's seconds and nanos. */
export function toProtoDuration(ms: number): { seconds: bigint; nanos: number } {
  const seconds = Math.trunc(ms / 1000);
  return { seconds: BigInt(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) };
}
