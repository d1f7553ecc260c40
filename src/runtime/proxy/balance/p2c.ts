// Power of two choices (spec proxy §6.1): two distinct random candidates, the lower load wins,
// ties go to the first pick.
export function pickP2c<T>(
  candidates: readonly T[],
  load: (c: T) => number,
  random: () => number = Math.random,
): T | undefined {
  const n = candidates.length;
  if (n === 0) return undefined;
  if (n === 1) return candidates[0];
  const a = Math.floor(random() * n);
  let b = Math.floor(random() * (n - 1));
  if (b >= a) b++;
  const first = candidates[a] as T;
  const second = candidates[b] as T;
  return load(second) < load(first) ? second : first;
}
