/**
 * Port lists as in `config.linkerd.io/opaque-ports` / `skip-inbound-ports`: comma-separated ports,
 * ranges `a-b`, and (where names can be resolved) port names. Spaces and trailing commas are
 * tolerated; invalid entries are reported through `warn` and skipped.
 */
export function parsePortList(
  value: string,
  resolveName: (name: string) => number[] = () => [],
  warn: (msg: string) => void = () => undefined,
): Set<number> {
  const ports = new Set<number>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const range = /^(\d+)-(\d+)$/.exec(entry);
    if (range !== null) {
      const lo = Number(range[1]);
      const hi = Number(range[2]);
      if (lo < 1 || hi > 65535 || lo > hi) {
        warn(`invalid port range: ${entry}`);
        continue;
      }
      for (let p = lo; p <= hi; p++) ports.add(p);
    } else if (/^\d+$/.test(entry)) {
      const p = Number(entry);
      if (p < 1 || p > 65535) warn(`invalid port: ${entry}`);
      else ports.add(p);
    } else {
      const resolved = resolveName(entry);
      if (resolved.length === 0) warn(`unable to resolve port name: ${entry}`);
      for (const p of resolved) ports.add(p);
    }
  }
  return ports;
}

/** The port of a `host:port` listen address such as `0.0.0.0:4143` or `[::]:4191`. */
export function portOfAddr(addr: string): number | undefined {
  const m = /:(\d+)$/.exec(addr.trim());
  return m === null ? undefined : Number(m[1]);
}
