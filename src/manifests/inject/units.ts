/** Kubernetes' canonical form for the common case of a fractional plain number (`0.5` → `500m`). */
export function canonicalQuantity(text: string): string {
  const trimmed = text.trim();
  if (!/^\d*\.\d+$/.test(trimmed)) return trimmed;
  const milli = Math.round(Number(trimmed) * 1e9) / 1e6;
  if (!Number.isInteger(milli)) return trimmed;
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
