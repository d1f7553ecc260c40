import { summarize, type CheckResult, type RunSummary } from './model.js';
import type { OutputFormat } from './flags.js';
import { statusLine } from './views/glyphs.js';
import { renderJson } from './views/json.js';
import { Spinner, type SpinnerStream } from './views/spinner.js';
import { TableRenderer } from './views/table.js';

export interface OutputStreams {
  stdout: { write(text: string): unknown };
  stderr: SpinnerStream;
  /** Whether stdout gets colour (see colorFor). */
  color: boolean;
}

/** The core checks, then one runner per extension; each closes its own table block. */
export type Runners = AsyncIterable<AsyncIterable<CheckResult>>;

/**
 * Drains the runners into the chosen view: table/short print as results arrive (with a spinner
 * on a TTY stderr while a check retries) and end with the status line; JSON is written once, as
 * one document for the whole run. If the runners fail midway (extension discovery), what ran so
 * far is rendered without a status line and the error propagates.
 */
export async function renderRun(runners: Runners, format: OutputFormat, streams: OutputStreams): Promise<RunSummary> {
  const all: CheckResult[] = [];
  if (format === 'json') {
    try {
      for await (const runner of runners) for await (const r of runner) all.push(r);
    } finally {
      streams.stdout.write(renderJson(all));
    }
    return summarize(all);
  }
  const spinner = new Spinner(streams.stderr, streams.color);
  try {
    for await (const runner of runners) {
      const table = new TableRenderer({ short: format === 'short', color: streams.color });
      for await (const r of runner) {
        spinner.stop();
        all.push(r);
        const chunk = table.push(r);
        if (chunk.text) streams.stdout.write(chunk.text);
        if (chunk.spinner !== undefined) spinner.show(chunk.spinner);
      }
      spinner.stop();
      streams.stdout.write(table.finish());
    }
  } finally {
    spinner.stop();
  }
  const summary = summarize(all);
  streams.stdout.write(statusLine(summary.success, streams.color));
  return summary;
}

/** 0 when nothing failed (warnings too, with `--fail-on-warnings`), else 1. */
export function exitCodeFor(summary: RunSummary, failOnWarnings: boolean): number {
  if (!summary.success) return 1;
  return failOnWarnings && summary.warning ? 1 : 0;
}
