/**
 * Shares one in-flight/successful evaluation between checks; a failure is not cached, so a
 * retried check really asks again.
 */
export function memoize<T>(fn: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    if (cached === undefined) {
      const p = fn();
      cached = p;
      p.catch(() => {
        if (cached === p) cached = undefined;
      });
    }
    return cached;
  };
}
