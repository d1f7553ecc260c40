import type { ChalkInstance } from 'chalk';

/** What happened to one resource (inject.md §7.1), in input order. */
export interface ResourceReport {
  /** Lower-cased kind; empty when the document has none. */
  kind: string;
  name: string;
  hostNetwork: boolean;
  sidecar: boolean;
  injectDisabled: boolean;
  udp: boolean;
  automountDisabled: boolean;
  /** The resource could be injected (or annotated, for Namespaces and Services). */
  injectable: boolean;
  injected: boolean;
  annotated: boolean;
  uninjected: boolean;
}

export function emptyReport(kind: string, name: string): ResourceReport {
  return {
    kind: kind.toLowerCase(),
    name,
    hostNetwork: false,
    sidecar: false,
    injectDisabled: false,
    udp: false,
    automountDisabled: false,
    injectable: false,
    injected: false,
    annotated: false,
    uninjected: false,
  };
}

/** A blank report for `obj`, named as Linkerd names it (Pods fall back to `generateName`). */
export function reportOf(obj: Record<string, unknown>): ResourceReport {
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const meta =
    typeof obj.metadata === 'object' && obj.metadata !== null ? (obj.metadata as Record<string, unknown>) : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const generated = typeof meta.generateName === 'string' ? meta.generateName : '';
  return emptyReport(kind, name === '' && kind.toLowerCase() === 'pod' ? generated : name);
}

function ref(r: ResourceReport): string {
  return `${r.kind}/${r.name}`;
}

function listOf(reports: readonly ResourceReport[], pick: (r: ResourceReport) => boolean): ResourceReport[] {
  return reports.filter(pick);
}

function summaryLine(r: ResourceReport, verb: 'injected' | 'uninjected'): string {
  if (!r.kind) return 'document missing "kind" field, skipped';
  const done = verb === 'injected' ? r.injected : r.uninjected;
  const what = done ? verb : r.annotated ? 'annotated' : 'skipped';
  return `${r.kind} "${r.name}" ${what}`;
}

/** The stderr report of `inject` (inject.md §7.2), ending with a blank line. */
export function renderInjectReport(reports: readonly ResourceReport[], verbose: boolean, color: ChalkInstance): string {
  const ok = color.green.bold('√');
  const warn = color.yellow.bold('‼');
  const lines: string[] = [''];
  let warned = false;
  const check = (offenders: ResourceReport[], warning: (list: string) => string, okText: string): void => {
    if (offenders.length > 0) {
      warned = true;
      lines.push(`${warn} ${warning(offenders.map(ref).join(', '))}`);
    } else if (verbose) lines.push(`${ok} ${okText}`);
  };
  check(
    listOf(reports, (r) => r.hostNetwork),
    (l) => `"hostNetwork: true" detected in ${l}`,
    'pods do not use host networking',
  );
  check(
    listOf(reports, (r) => r.sidecar),
    (l) => `known 3rd party sidecar detected in ${l}`,
    'pods do not have a 3rd party proxy or initContainer already injected',
  );
  check(
    listOf(reports, (r) => r.injectDisabled),
    (l) => `"linkerd.io/inject: disabled" annotation set on ${l}`,
    'pods are not annotated to disable injection',
  );
  const nothingSupported = !reports.some((r) => r.injectable || r.annotated);
  if (nothingSupported) {
    warned = true;
    lines.push(`${warn} no supported objects found`);
  } else if (verbose) lines.push(`${ok} at least one resource can be injected or annotated`);
  const udp = listOf(reports, (r) => r.udp);
  check(udp, (l) => `${l} ${udp.length > 1 ? 'use' : 'uses'} "protocol: UDP"`, 'pod specs do not include UDP ports');
  if (verbose) {
    lines.push(
      `${ok} pods do not have automountServiceAccountToken set to "false" or service account token projection is enabled`,
    );
  }
  if (verbose || warned) lines.push('');
  for (const r of reports) lines.push(summaryLine(r, 'injected'));
  lines.push('');
  return `${lines.join('\n')}\n`;
}

/** The stderr report of `uninject` (inject.md §8). */
export function renderUninjectReport(reports: readonly ResourceReport[]): string {
  return `${['', ...reports.map((r) => summaryLine(r, 'uninjected')), ''].join('\n')}\n`;
}
