import { InputError, kindOf, parseSourceDocument, splitStream, type InputSource } from './documents.js';
import { isPlainObject, type JsonObject } from './json.js';
import { emptyReport, type ResourceReport } from './report.js';

/** What a command does to one object: its new value and report line. */
export type ObjectTransform = (obj: JsonObject) => { value: JsonObject; changed: boolean; report: ResourceReport };

export interface TransformResult {
  /** The output stream; only meaningful when `errors` is empty. */
  output: string;
  reports: ResourceReport[];
  /** The final value of every document, in order (for `-o json`). */
  values: unknown[];
  /** Per-resource failures (`failed to inject deployment/web: …`), in input order. */
  errors: string[];
}

/**
 * Runs `transform` over every object of the inputs (List items one by one) and re-emits the stream with
 * only the changed documents rewritten: separators, comments and untouched documents keep their bytes.
 * Several inputs are joined into one stream with `---` between them. Malformed input throws `InputError`.
 */
export function transformSources(sources: readonly InputSource[], transform: ObjectTransform): TransformResult {
  const reports: ResourceReport[] = [];
  const errors: string[] = [];
  const run = (obj: JsonObject): { value: JsonObject; changed: boolean } => {
    try {
      const out = transform(obj);
      reports.push(out.report);
      return out;
    } catch (err) {
      if (err instanceof InputError) throw err;
      errors.push((err as Error).message);
      return { value: obj, changed: false };
    }
  };
  const chunks: string[] = [];
  const values: unknown[] = [];
  for (const source of sources) {
    if (chunks.length > 0 && !/(^|\n)---[^\n]*\n$/.test(chunks[chunks.length - 1]!)) chunks.push('---\n');
    let text = '';
    for (const segment of splitStream(source)) {
      if (segment.kind === 'raw') {
        text += segment.text;
        continue;
      }
      const parsed = parseSourceDocument(segment.doc);
      const result = transformValue(parsed.value, run, reports);
      values.push(result.value);
      text += result.changed ? parsed.render(result.value) : segment.doc.text;
    }
    if (text !== '' && !text.endsWith('\n')) text += '\n';
    chunks.push(text);
  }
  return { output: chunks.join(''), values, reports, errors };
}

function transformValue(
  value: unknown,
  run: (obj: JsonObject) => { value: JsonObject; changed: boolean },
  reports: ResourceReport[],
): { value: unknown; changed: boolean } {
  if (!isPlainObject(value) || kindOf(value) === '') {
    reports.push(emptyReport('', ''));
    return { value, changed: false };
  }
  if (value.kind !== 'List' || !Array.isArray(value.items)) return run(value);
  let changed = false;
  const items = value.items.map((item: unknown) => {
    if (!isPlainObject(item) || kindOf(item) === '') {
      reports.push(emptyReport('', ''));
      return item;
    }
    const out = run(item);
    changed ||= out.changed;
    return out.value;
  });
  return changed ? { value: { ...value, items }, changed } : { value, changed };
}
