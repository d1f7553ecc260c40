/**
 * l5d's release version, in Linkerd's `edge-YY.M.N` scheme. The npm package version is the matching
 * chart-style `YYYY.M.N` (a unit test keeps the two in step).
 */
export const L5D_VERSION = 'edge-26.11.1';

/** Chart version derived from the release version, as Linkerd derives `2026.11.1` from `edge-26.11.1`. */
export function chartVersionOf(version: string): string {
  const m = /^edge-(\d{2})\.(\d+)\.(\d+)$/.exec(version);
  return m ? `20${m[1]}.${m[2]}.${m[3]}` : '0.0.0-undefined';
}
