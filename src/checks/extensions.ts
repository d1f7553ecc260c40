import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { CheckResult } from './model.js';

/** One extension check to run, or a labelled extension with no executable. */
export type ExtensionTarget =
  | { kind: 'run'; /** category for unparseable output */ label: string; command: string; args: string[] }
  | { kind: 'missing'; name: string };

export interface ProcessResult {
  stdout: string;
  stderr: string;
}

export type Exec = (command: string, args: readonly string[]) => Promise<ProcessResult>;

/** Runs a child to completion; its exit status is ignored (only its output matters). */
export const execChild: Exec = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr: stderr || (err && !stdout ? err.message : '') });
    });
  });

const BUILT_INS = ['multicluster', 'viz'];

/** Executables named `linkerd-*` on PATH, first occurrence per name wins, each directory sorted. */
export async function findExtensionExecutables(pathEnv: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const dir of pathEnv.split(delimiter).filter((d) => d !== '')) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const file of names.filter((n) => n.startsWith('linkerd-')).sort()) {
      const suffix = file.slice('linkerd-'.length);
      if (found.has(suffix)) continue;
      const path = join(dir, file);
      if (
        await access(path, constants.X_OK).then(
          () => true,
          () => false,
        )
      )
        found.set(suffix, path);
    }
  }
  return found;
}

export interface PlanInput {
  /** Values of the `linkerd.io/extension` namespace label. */
  installed: readonly string[];
  executables: Map<string, string>;
  /** How this CLI runs its built-in extension commands (`[node, bin/run.js]`). */
  self: { command: string; prefix: string[]; label: string };
  /** Extra `check` flags (upstream's §5.2 list, already rendered). */
  flags: readonly string[];
  exec: Exec;
}

async function wantsAlways(path: string, suffix: string, exec: Exec): Promise<boolean> {
  try {
    const meta = JSON.parse((await exec(path, ['_extension-metadata'])).stdout) as { name?: unknown; checks?: unknown };
    return typeof meta.name === 'string' && meta.name.toLowerCase() === `linkerd-${suffix}` && meta.checks === 'always';
  } catch {
    return false;
  }
}

/** Upstream's selection and order (check.md §5.1). */
export async function planExtensions(input: PlanInput): Promise<ExtensionTarget[]> {
  const args = ['check', ...input.flags, '--output=json'];
  const selected: { sortKey: string; target: ExtensionTarget }[] = [];
  const always = new Set<string>();
  for (const [suffix, path] of input.executables) {
    if (await wantsAlways(path, suffix, input.exec)) always.add(suffix);
  }
  const labels = [...new Set(input.installed)];
  for (const [suffix, path] of input.executables) {
    if (!always.has(suffix) && !labels.includes(suffix)) continue;
    selected.push({
      sortKey: `linkerd-${suffix}`,
      target: { kind: 'run', label: `linkerd-${suffix}`, command: path, args },
    });
  }
  const rest = labels.filter((l) => !input.executables.has(l));
  for (const name of rest.filter((l) => BUILT_INS.includes(l)).sort()) {
    selected.push({
      sortKey: `linkerd\u0000${name}`,
      target: {
        kind: 'run',
        label: input.self.label,
        command: input.self.command,
        args: [...input.self.prefix, name, ...args],
      },
    });
  }
  selected.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
  const missing = rest.filter((l) => !BUILT_INS.includes(l)).sort();
  return [...selected.map((s) => s.target), ...missing.map((name) => ({ kind: 'missing' as const, name }))];
}

interface ExtensionJson {
  categories?:
    | { categoryName?: string; checks?: { description?: string; hint?: string; error?: string; result?: string }[] }[]
    | null;
}

/** Turns one extension's output into results (an unparseable answer becomes one error result). */
export function extensionResults(
  target: ExtensionTarget,
  output: ProcessResult | undefined,
  hintBase: string,
): CheckResult[] {
  if (target.kind === 'missing') {
    const exe = `linkerd-${target.name}`;
    return [
      {
        category: exe,
        description: `Linkerd extension command ${exe} exists`,
        error: `exec: "${exe}": executable file not found in $PATH`,
        hintUrl: `${hintBase}extensions`,
        warning: true,
        retry: false,
      },
    ];
  }
  const cmd = [target.command, ...target.args].join(' ');
  let parsed: ExtensionJson;
  try {
    parsed = JSON.parse(output?.stdout ?? '') as ExtensionJson;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
  } catch (err) {
    const error =
      output?.stderr.trimEnd() ||
      `invalid extension check output from "${cmd}" (JSON object expected):\n${output?.stdout ?? ''}\n[${(err as Error).message}]`;
    return [
      {
        category: target.label,
        description: `Running: ${cmd}`,
        error,
        hintUrl: `${hintBase}extensions`,
        warning: false,
        retry: false,
      },
    ];
  }
  return (parsed.categories ?? []).flatMap((c) =>
    (c.checks ?? []).map((check): CheckResult => {
      // Upstream: a non-empty error fails (as a warning when result says so); an empty one passes.
      const failed = (check.error ?? '') !== '';
      return {
        category: c.categoryName ?? '',
        description: check.description ?? '',
        ...(failed ? { error: check.error ?? '', hintUrl: check.hint ?? '' } : {}),
        warning: check.result === 'warning',
        retry: false,
      };
    }),
  );
}

export interface ForwardedFlags {
  apiAddr: string;
  context: string;
  as: string;
  asGroups: readonly string[];
  kubeconfig: string;
  linkerdNamespace: string;
  verbose: boolean;
  namespace: string;
  proxy: boolean;
  wait: string;
}

/** The flags an extension's `check` receives, in upstream's order and spelling (check.md §5.2). */
export function extensionCheckFlags(f: ForwardedFlags): string[] {
  const pairs: [string, string][] = [
    ['api-addr', f.apiAddr],
    ['context', f.context],
    ['as', f.as],
    ['as-group', `[${f.asGroups.join(',')}]`],
    ['kubeconfig', f.kubeconfig],
    ['linkerd-namespace', f.linkerdNamespace],
    ['verbose', String(f.verbose)],
    ['namespace', f.namespace],
    ['proxy', String(f.proxy)],
    ['wait', f.wait],
  ];
  return pairs.filter(([, v]) => v !== '').map(([k, v]) => `--${k}=${v}`);
}
