import type { ValuesTree } from './types.js';

export function isPlainObject(value: unknown): value is ValuesTree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of a JSON-like values tree. */
export function cloneTree<T>(value: T): T {
  return structuredClone(value);
}

export interface MergeOptions {
  /**
   * Helm semantics when user values are laid over chart values: a `null` override deletes the key.
   * When combining user inputs with each other (several `-f` files), nulls are kept so that they still
   * delete once the result is laid over the defaults.
   */
  nullDeletes: boolean;
}

/** Deep merge: maps merge key by key, everything else (lists included) is replaced. Inputs are not mutated. */
export function deepMerge<T extends object>(
  base: T,
  overlay: ValuesTree,
  options: MergeOptions = { nullDeletes: true },
): T {
  const out: ValuesTree = { ...(base as ValuesTree) };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null && options.nullDeletes) {
      delete out[key];
    } else if (isPlainObject(value)) {
      out[key] = deepMerge(isPlainObject(out[key]) ? out[key] : {}, value, options);
    } else {
      out[key] = cloneTree(value);
    }
  }
  return out as T;
}
