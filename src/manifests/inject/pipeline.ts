import type { ChalkInstance } from 'chalk';
import { buildSidecar } from '../sidecar/index.js';
import type { Values } from '../values/types.js';
import { injectObject, type BuildSidecar } from './core.js';
import { InputError, type InputSource } from './documents.js';
import { overrideAnnotations } from './overrides.js';
import { renderInjectReport, renderUninjectReport, reportOf } from './report.js';
import { transformSources, type OutputFormat, type TransformResult } from './transform.js';
import { uninjectObject } from './uninject.js';

export type { OutputFormat } from './transform.js';

/** What a command prints: stdout, then stderr, and its exit code. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface InjectRun {
  manual: boolean;
  /** Cluster (or chart default) values before flags. */
  base: Values;
  /** `base` with the flags applied. */
  values: Values;
  controlPlaneNamespace: string;
  enableDebugSidecar: boolean;
  closeWaitTimeout?: string;
  createdBy: string;
  output: OutputFormat;
  verbose: boolean;
  color: ChalkInstance;
  buildSidecar?: BuildSidecar;
}

function failure(messages: readonly string[]): CommandOutput {
  return { stdout: '', stderr: `Error transforming resources:\n${messages.join('\n')}`, exitCode: 1 };
}

/**
 * `inject` over all inputs as one stream (inject.md §3.5): every object is first stripped of a previous
 * injection, then injected. Any error suppresses all of stdout.
 */
export function runInject(sources: readonly InputSource[], run: InjectRun): CommandOutput {
  const overrides = overrideAnnotations(run.base, run.values);
  const logs: string[] = [];
  const config = {
    manual: run.manual,
    controlPlaneNamespace: run.controlPlaneNamespace,
    values: run.values,
    overrides,
    enableDebugSidecar: run.enableDebugSidecar,
    createdBy: run.createdBy,
    buildSidecar: run.buildSidecar ?? buildSidecar,
    warn: (message: string) => logs.push(`level=warning msg="${message}"`),
    ...(run.closeWaitTimeout ? { closeWaitTimeout: run.closeWaitTimeout } : {}),
  };
  let result: TransformResult;
  try {
    result = transformSources(
      sources,
      (obj) => {
        const outcome = injectObject(uninjectObject(obj).value, config);
        if (outcome.changed && run.verbose) {
          logs.push(`level=info msg="patch generated for: ${outcome.report.kind}/${outcome.report.name}"`);
          logs.push(`level=debug msg="patch: ${JSON.stringify(outcome.patch).replace(/"/g, '\\"')}"`);
        }
        return outcome;
      },
      run.output,
    );
  } catch (err) {
    if (err instanceof InputError) return failure([err.message]);
    throw err;
  }
  if (result.errors.length > 0) return failure(result.errors);
  const logText = run.verbose || logs.length > 0 ? logs.map((l) => `${l}\n`).join('') : '';
  return {
    stdout: result.output,
    stderr: logText + renderInjectReport(result.reports, run.verbose, run.color),
    exitCode: 0,
  };
}

/**
 * `uninject`, one input at a time (inject.md §8): each file's output and report are complete before
 * the next file is read, so an error leaves earlier files' output in place.
 */
export function runUninject(sources: readonly InputSource[], output: OutputFormat): CommandOutput {
  let stdout = '';
  let stderr = '';
  for (const source of sources) {
    let result: TransformResult;
    try {
      result = transformSources(
        [source],
        (obj) => {
          const out = uninjectObject(obj);
          const report = reportOf(obj);
          report.uninjected = out.uninjected;
          return { value: out.value, changed: out.changed, report };
        },
        output,
      );
    } catch (err) {
      if (err instanceof InputError) return { stdout, stderr: stderr + failure([err.message]).stderr, exitCode: 1 };
      throw err;
    }
    stdout += result.output;
    stderr += renderUninjectReport(result.reports);
  }
  return { stdout, stderr, exitCode: 0 };
}
