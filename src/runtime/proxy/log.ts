// Proxy logging (spec proxy §9.2): a tracing-style filter and plain/json output to stdout.
export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'off';
const ORDER: Record<Level, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4, off: 5 };
const LEVELS = new Set(Object.keys(ORDER));

/** The level that applies to `linkerd` targets: a `linkerd=` directive, else the bare default. */
export function parseLogFilter(filter: string): Level {
  if (filter.trim().toLowerCase() === 'off') return 'off';
  let global: Level = 'error';
  let linkerd: Level | undefined;
  for (const raw of filter.split(',')) {
    const d = raw.trim();
    if (d === '' || d.startsWith('[')) continue;
    const [target, level] = d.includes('=') ? d.split('=', 2) : [undefined, d];
    const lv = (level ?? '').toLowerCase();
    if (!LEVELS.has(lv)) throw new Error(`invalid log level ${JSON.stringify(level)} in ${JSON.stringify(d)}`);
    if (target === undefined) global = lv as Level;
    else if (target === 'linkerd' || target.startsWith('linkerd')) linkerd = lv as Level;
  }
  return linkerd ?? global;
}

export class Logger {
  private level: Level;

  constructor(
    private filterText: string,
    private readonly format: 'plain' | 'json',
    private readonly write: (line: string) => void = (l) => process.stdout.write(l),
  ) {
    this.level = parseLogFilter(filterText);
  }

  get filter(): string {
    return this.filterText;
  }

  setFilter(filter: string): void {
    this.level = parseLogFilter(filter);
    this.filterText = filter;
  }

  private log(
    level: Exclude<Level, 'off'>,
    target: string,
    message: string,
    fields: Record<string, unknown> = {},
  ): void {
    if (ORDER[level] < ORDER[this.level]) return;
    if (this.format === 'json') {
      this.write(
        JSON.stringify({
          timestamp: new Date().toISOString(),
          level: level.toUpperCase(),
          fields: { message, ...fields },
          target,
          threadId: 'ThreadId(1)',
        }) + '\n',
      );
      return;
    }
    // Seconds since process start, as linkerd2-proxy's uptime timer prints. process.uptime()
    // rather than the `performance` global, which would load perf_hooks in an idle proxy.
    const secs = process.uptime();
    const [whole, frac = ''] = secs.toFixed(6).split('.');
    const extra = Object.entries(fields)
      .map(([k, v]) => ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join('');
    this.write(
      `[${(whole ?? '0').padStart(6)}.${frac}s] ${level.toUpperCase().padStart(5)} ThreadId(01) ${target}: ${message}${extra}\n`,
    );
  }

  info(target: string, message: string, fields?: Record<string, unknown>): void {
    this.log('info', target, message, fields);
  }
  warn(target: string, message: string, fields?: Record<string, unknown>): void {
    this.log('warn', target, message, fields);
  }
  error(target: string, message: string, fields?: Record<string, unknown>): void {
    this.log('error', target, message, fields);
  }
  debug(target: string, message: string, fields?: Record<string, unknown>): void {
    this.log('debug', target, message, fields);
  }
}
