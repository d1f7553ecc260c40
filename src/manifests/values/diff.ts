import { isDeepStrictEqual } from 'node:util';
import { isPlainObject } from './merge.js';
import type { ValuesTree } from './types.js';

/**
 * The part of `actual` that differs from `defaults` (maps compared key by key, anything else as a
 * whole): the content of the `linkerd-config-overrides` Secret. A key present in the defaults but gone
 * from `actual` is recorded as `null`, so `deepMerge(defaults, diff)` rebuilds `actual` exactly.
 */
export function diffValues(defaults: ValuesTree, actual: ValuesTree): ValuesTree {
  const out: ValuesTree = {};
  for (const [key, value] of Object.entries(actual)) {
    const base = defaults[key];
    if (isPlainObject(value) && isPlainObject(base)) {
      const nested = diffValues(base, value);
      if (Object.keys(nested).length > 0) out[key] = nested;
    } else if (!(key in defaults) || !isDeepStrictEqual(base, value)) {
      out[key] = value;
    }
  }
  for (const key of Object.keys(defaults)) {
    if (!(key in actual)) out[key] = null;
  }
  return out;
}
