import { parseYamlDocument } from '../yaml/parse-document.js';
import { isPlainObject } from './json.js';
import { parseSimpleYaml, SIMPLE_YAML_DOCUMENT } from './simple-yaml.js';
import { rewriteYamlDocument } from './yaml-edit.js';
import { DEFAULT_STYLE, type YamlStyle } from './yaml-render.js';
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';

/** A named input (file path, URL or `-`) and its text. */
export interface InputSource {
  name: string;
  text: string;
}

/** One piece of an input stream: a document, or separator lines / text that belong to no document. */
export type Segment = { kind: 'raw'; text: string } | { kind: 'document'; doc: SourceDocument };

/** A document's own text plus where it came from, for error messages. */
export interface SourceDocument {
  source: string;
  /** 1-based line of the document's first line in its source. */
  line: number;
  text: string;
}

/** Bad input: names the source and position. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Splits a stream the way Kubernetes' YAML reader does (inject.md §3.2): a line starting with `---`
 * ends the buffered document, and may only carry whitespace or a comment after the marker; a separator
 * with nothing buffered produces no document. Separator lines are kept so output can reproduce them.
 */
export function splitStream(source: InputSource): Segment[] {
  const segments: Segment[] = [];
  const text = source.text;
  let docStart = 0;
  let docLine = 1;
  let line = 1;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl + 1;
    if (text.startsWith('---', pos)) {
      const rest = text.slice(pos + 3, end).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        throw new InputError(`${source.name}:${line}: invalid Yaml document separator: ${rest}`);
      }
      if (pos > docStart)
        segments.push({
          kind: 'document',
          doc: { source: source.name, line: docLine, text: text.slice(docStart, pos) },
        });
      segments.push({ kind: 'raw', text: text.slice(pos, end) });
      docStart = end;
      docLine = line + 1;
    }
    pos = end;
    line++;
  }
  if (text.length > docStart)
    segments.push({ kind: 'document', doc: { source: source.name, line: docLine, text: text.slice(docStart) } });
  return segments;
}

/** A parsed document that can be written back with only its changes applied. */
export interface ParsedDocument {
  value: unknown;
  /** Re-emits the document as `target`, preserving everything `target` does not change. */
  render(target: unknown): string;
}

/**
 * Parses one document: JSON stays JSON (re-emitted with its own indentation), YAML is edited in place.
 * Plain block YAML goes through the fast reader, everything else through the `yaml` package; both
 * yield the same nodes. Syntax errors name the source with line and column.
 */
export function parseSourceDocument(doc: SourceDocument): ParsedDocument {
  const crlf = doc.text.includes('\r\n');
  const text = crlf ? doc.text.replace(/\r\n/g, '\n') : doc.text;
  const restoreEol = (out: string): string => (crlf ? out.replace(/\n/g, '\r\n') : out);
  const json = parseJson(text);
  if (json !== undefined) {
    const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '';
    return { value: json.value, render: (target) => restoreEol(`${JSON.stringify(target, null, indent)}\n`) };
  }
  const simple = parseSimpleYaml(text);
  if (simple) {
    const style = detectStyle(simple.root, text);
    return {
      value: simple.value,
      render: (target) => restoreEol(rewriteYamlDocument(text, simple.root, SIMPLE_YAML_DOCUMENT, target, style)),
    };
  }
  const parsed = parseYamlDocument(text, { version: '1.1', merge: true, prettyErrors: true, keepSourceTokens: false });
  const error = parsed.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? `${doc.line + pos.line - 1}:${pos.col}` : `${doc.line}`;
    throw new InputError(
      `${doc.source}:${where}: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const value = parsed.toJS({ maxAliasCount: 1000 }) as unknown;
  return {
    value,
    render: (target) =>
      restoreEol(rewriteYamlDocument(text, parsed.contents, parsed, target, detectStyle(parsed.contents, text))),
  };
}

function parseJson(text: string): { value: unknown } | undefined {
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** The document's own nesting step and sequence indentation, from its first nested map and list. */
function detectStyle(root: Node | null, text: string): YamlStyle {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const column = (offset: number): number => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const visit = (node: Node | null | undefined, depth: number): void => {
    if (!node || depth > 12 || (indent !== undefined && indentSeq !== undefined)) return;
    if (isMap(node) && !node.flow) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) continue;
        const value = pair.value as Node | null;
        const keyCol = column(pair.key.range[0]);
        if (indent === undefined && isMap(value) && !value.flow && value.items[0] && isScalar(value.items[0].key)) {
          const childCol = column((value.items[0].key as Node).range![0]);
          if (childCol > keyCol) indent = childCol - keyCol;
        }
        if (indentSeq === undefined && isSeq(value) && !value.flow && value.range) {
          const dash = text.lastIndexOf(
            '-',
            value.items[0] && (value.items[0] as Node).range ? (value.items[0] as Node).range![0] : value.range[0],
          );
          if (dash >= 0) indentSeq = column(dash) > keyCol;
        }
        visit(value, depth + 1);
      }
    } else if (isSeq(node) && !node.flow) {
      for (const item of node.items) visit(item as Node, depth + 1);
    }
  };
  visit(root, 0);
  return { indent: indent ?? DEFAULT_STYLE.indent, indentSeq: indentSeq ?? DEFAULT_STYLE.indentSeq };
}

export function kindOf(value: unknown): string {
  return isPlainObject(value) && typeof value.kind === 'string' ? value.kind : '';
}
