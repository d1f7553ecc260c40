import type { ProxyVersionCount } from './proxy.js';

export interface VersionReport {
  client: string;
  /** `undefined` when only the client was asked for. */
  server?: string | null;
  /** `undefined` when `--proxy` was not given; `null` when unavailable. */
  proxies?: ProxyVersionCount[] | null;
}

/** `l5d version` output; `short` prints bare values, one per line. */
export function renderVersion(report: VersionReport, short: boolean): string {
  const lines: string[] = [short ? report.client : `Client version: ${report.client}`];
  if (report.server !== undefined) {
    const server = report.server ?? 'unavailable';
    lines.push(short ? server : `Server version: ${server}`);
  }
  if (report.proxies !== undefined) {
    if (report.proxies === null || report.proxies.length === 0) lines.push('Proxy versions: unavailable');
    else {
      lines.push('Proxy versions:');
      for (const p of report.proxies) lines.push(`\t${p.version} (${p.pods} pods)`);
    }
  }
  return `${lines.join('\n')}\n`;
}
