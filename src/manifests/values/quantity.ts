/** Kubernetes resource quantities (`100m`, `1.5`, `128Mi`, `1e3`), enough to validate, compare and round. */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The quantity's value in base units (cores, bytes), or undefined when it is not a valid quantity. */
export function parseQuantity(text: string): number | undefined {
  const m = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$/.exec(text.trim() === text ? text : '');
  if (!m) return undefined;
  const number = Number(m[1]);
  const suffix = m[2] ?? '';
  const exponent = /^[eE]([+-]?\d+)$/.exec(suffix);
  if (exponent) return number * 10 ** Number(exponent[1]);
  const scale = BINARY[suffix] ?? DECIMAL[suffix];
  return scale === undefined ? undefined : number * scale;
}

/** Worker threads for a CPU quantity: rounded up to whole cores (`500m` → 1, `1.5` → 2), as Linkerd does. */
export function wholeCores(cpu: number): number {
  return Math.ceil(Math.round(cpu * 1000) / 1000);
}
