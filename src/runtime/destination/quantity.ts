const SUFFIX_MILLI: Record<string, number> = {
  '': 1000,
  m: 1,
  k: 1e6,
  M: 1e9,
  G: 1e12,
  Ki: 1024 * 1000,
  Mi: 1024 ** 2 * 1000,
  Gi: 1024 ** 3 * 1000,
};

/** A Kubernetes quantity (`1`, `500m`, `0.5`, `1k`) as its milli-value, rounded up like apimachinery. */
export function quantityMilli(value: string | number): number {
  const text = String(value).trim();
  const m = /^([+-]?\d*\.?\d+(?:[eE][+-]?\d+)?)(m|k|M|G|Ki|Mi|Gi)?$/.exec(text);
  if (m === null) throw new Error(`quantities must match the regular expression: ${text}`);
  return Math.ceil(Number(m[1]) * (SUFFIX_MILLI[m[2] ?? ''] ?? 1000) - 1e-9);
}
