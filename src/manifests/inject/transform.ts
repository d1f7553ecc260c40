import { InputError, kindOf, parseSourceDocument, splitStream, type InputSource } from './documents.js';
import { isPlainObject, sortedJson, type JsonObject } from './json.js';
import { emptyReport, type ResourceReport } from './report.js';
import { checkObjectShape, ShapeError } from './shape.js';

/** What a command does to one object: its new value and report line. */
export type ObjectTransform = (obj: JsonObject) => { value: JsonObject; changed: boolean; report: ResourceReport };

/** `yaml` re-emits the stream with its own formatting; `json` is Linkerd's `-o json`. */
export type OutputFormat = 'yaml' | 'json';

export interface TransformResult {
  /** The output stream; only meaningful when `errors` is empty. */
  output: string;
  reports: ResourceReport[];
  /** Per-resource failures (`failed to inject deployment/web: …`), in input order. */
  errors: string[];
}

/**
 * Runs `transform` over every object of the inputs (List items one by one) and writes the stream. As
 * YAML only the changed documents are rewritten: separators, comments and untouched documents keep
 * their bytes, and several inputs are joined with `---` between them. As JSON every document becomes
 * one line of compact JSON with sorted keys. Malformed input throws `InputError`.
 */
export function transformSources(
  sources: readonly InputSource[],
  transform: ObjectTransform,
  format: OutputFormat,
): TransformResult {
  const reports: ResourceReport[] = [];
  const errors: string[] = [];
  const run = (obj: JsonObject, where: string): { value: JsonObject; changed: boolean } => {
    try {
      checkObjectShape(obj);
    } catch (err) {
      if (err instanceof ShapeError) throw new InputError(`${where}: ${objectName(obj)}: ${err.message}`);
      throw err;
    }
    try {
      const out = transform(obj);
      reports.push(out.report);
      return out;
    } catch (err) {
      if (err instanceof InputError) throw err;
      errors.push(
        isInternal(err) ? `${where}: ${objectName(obj)}: cannot process this object` : (err as Error).message,
      );
      return { value: obj, changed: false };
    }
  };
  // One chunk per document or separator, joined once at the end.
  const chunks: string[] = [];
  for (const source of sources) {
    if (format === 'yaml' && chunks.length > 0 && !/(^|\n)---[^\n]*\n$/.test(chunks[chunks.length - 1]!))
      chunks.push('---\n');
    const first = chunks.length;
    for (const segment of splitStream(source)) {
      if (segment.kind === 'raw') {
        if (format === 'yaml') chunks.push(segment.text);
        continue;
      }
      const parsed = parseSourceDocument(segment.doc);
      const where = `${segment.doc.source}:${segment.doc.line}`;
      const result = transformValue(parsed.value, (obj) => run(obj, where), reports);
      if (format === 'json') chunks.push(`${sortedJson(result.value ?? null)}\n`);
      else chunks.push(result.changed ? flat(parsed.render(result.value)) : segment.doc.text);
    }
    const last = chunks[chunks.length - 1];
    if (format === 'yaml' && chunks.length > first && last !== undefined && !last.endsWith('\n')) chunks.push('\n');
  }
  return { output: chunks.join(''), reports, errors };
}
/** `deployment/web`, as Linkerd names objects in its messages. */
function objectName(obj: JsonObject): string {
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  return `${kindOf(obj).toLowerCase()}/${typeof meta.name === 'string' ? meta.name : ''}`;
}

/** A JavaScript error from a shape the checks missed: a bug, never shown to the user as text. */
function isInternal(err: unknown): boolean {
  return (
    err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || !(err instanceof Error)
  );
}

/**
 * The same string, flattened: a rendered document is a rope of thousands of small pieces, and holding
 * ten thousand of them until the final join costs several times their size (and the join its time).
 * V8 flattens a string in place when a regular expression runs over it.
 */
function flat(text: string): string {
  /$/.test(text);
  return text;
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
