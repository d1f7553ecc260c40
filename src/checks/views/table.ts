import { outcomeOf, summarize, type CheckResult } from '../model.js';
import { glyph, statusLine } from './glyphs.js';

export interface TableOptions {
  /** `-o short`: hide passing checks, and headings of categories with nothing to show. */
  short: boolean;
  color: boolean;
}

/** What one result contributes: text for stdout and, for a retry report, the spinner's text. */
export interface TableChunk {
  text: string;
  spinner?: string;
}

/**
 * Incremental table/short rendering (upstream's layout): underlined category headings, one
 * `<glyph> <description>` line per final result, the error and hint indented by 4 spaces (only the
 * first error line is indented; later lines carry their own indentation).
 */
export class TableRenderer {
  private lastCategory: string | undefined;
  private readonly results: CheckResult[] = [];

  constructor(private readonly options: TableOptions) {}

  push(result: CheckResult): TableChunk {
    if (this.options.short && !result.retry && result.error === undefined) {
      this.results.push(result);
      return { text: '' };
    }
    // Short mode shows no heading for a retry (upstream leaves an empty heading behind when the
    // check then passes); the spinner names the check instead.
    if (result.retry && this.options.short)
      return { text: '', spinner: `${result.description}: ${result.error ?? ''}` };
    const heading = this.heading(result.category);
    if (result.retry) return { text: heading, spinner: result.error ?? '' };
    this.results.push(result);
    let text = `${heading}${glyph(outcomeOf(result), this.options.color)} ${result.description}\n`;
    if (result.error !== undefined) {
      text += `    ${result.error}\n`;
      if (result.hintUrl) text += `    see ${result.hintUrl} for hints\n`;
    }
    return { text };
  }

  /** Closes the runner's block (a blank line; in short mode only when something was shown). */
  finish(): string {
    if (!this.options.short) return '\n';
    const { success, warning } = summarize(this.results);
    return !success || warning ? '\n' : '';
  }

  private heading(category: string): string {
    if (category === this.lastCategory) return '';
    const separator = this.lastCategory === undefined ? '' : '\n';
    this.lastCategory = category;
    return `${separator}${category}\n${'-'.repeat(category.length)}\n`;
  }
}

/** Whole-run table text for a finished result list, status line included. */
export function renderTable(results: readonly CheckResult[], options: TableOptions): string {
  const renderer = new TableRenderer(options);
  let text = results.map((r) => renderer.push(r).text).join('') + renderer.finish();
  text += statusLine(summarize(results).success, options.color);
  return text;
}
