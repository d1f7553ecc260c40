// PortSpec.workload as proxies send it (controllers.md §3.4): JSON `{"ns","pod"}` or
// `{"ns","external_workload"}`, or the legacy `<ns>:<pod>`.
export type Workload = { namespace: string; pod: string } | { namespace: string; externalWorkload: string };

export function parseWorkload(text: string): Workload | undefined {
  if (text.trim().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof value !== 'object' || value === null) return undefined;
    const { ns, pod, external_workload: ext } = value as Record<string, unknown>;
    if (typeof ns !== 'string' || ns === '') return undefined;
    if (typeof pod === 'string' && pod !== '' && ext === undefined) return { namespace: ns, pod };
    if (typeof ext === 'string' && ext !== '' && pod === undefined) return { namespace: ns, externalWorkload: ext };
    return undefined;
  }
  const parts = text.split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { namespace: parts[0] ?? '', pod: parts[1] ?? '' };
}
