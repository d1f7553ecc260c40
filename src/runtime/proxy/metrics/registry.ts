// A small Prometheus text registry. prom-client was measured at several MiB of extra RSS and
// per-series object overhead; the proxy's families are few and their label sets fixed strings.
export type Labels = ReadonlyArray<readonly [string, string]>;

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function renderLabels(labels: Labels): string {
  return labels.map(([k, v]) => `${k}="${escapeValue(v)}"`).join(',');
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(n);
}

interface Family {
  render(out: string[]): void;
}

export class Counter implements Family {
  private readonly series = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly type: 'counter' | 'gauge' = 'counter',
  ) {}

  /** `key` is a pre-rendered label string (see renderLabels). */
  inc(key: string, by = 1): void {
    this.series.set(key, (this.series.get(key) ?? 0) + by);
  }
  set(key: string, value: number): void {
    this.series.set(key, value);
  }
  get(key: string): number | undefined {
    return this.series.get(key);
  }
  render(out: string[]): void {
    if (this.series.size === 0) return;
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`);
    for (const [k, v] of this.series)
      out.push(k === '' ? `${this.name} ${formatNumber(v)}` : `${this.name}{${k}} ${formatNumber(v)}`);
  }
}

export class Gauge extends Counter {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Family {
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(key: string, value: number): void {
    let s = this.series.get(key);
    if (!s) {
      s = { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count++;
  }

  render(out: string[]): void {
    if (this.series.size === 0) return;
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const [k, s] of this.series) {
      const prefix = k === '' ? '' : `${k},`;
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i] ?? 0;
        out.push(`${this.name}_bucket{${prefix}le="${b}"} ${cumulative}`);
      });
      out.push(`${this.name}_bucket{${prefix}le="+Inf"} ${s.count}`);
      const labels = k === '' ? '' : `{${k}}`;
      out.push(`${this.name}_sum${labels} ${formatNumber(s.sum)}`, `${this.name}_count${labels} ${s.count}`);
    }
  }
}

export class Registry {
  private readonly families: Family[] = [];
  private readonly collectors: Array<() => void> = [];

  add<F extends Family>(family: F): F {
    this.families.push(family);
    return family;
  }

  /** Runs before every render (e.g. to refresh process gauges). */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  render(): string {
    for (const c of this.collectors) c();
    const out: string[] = [];
    for (const f of this.families) f.render(out);
    return out.join('\n') + '\n';
  }
}
