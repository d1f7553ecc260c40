import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import type { JsonObject } from './json.js';
import { MAY_NOT_BE_A_STRING, NOT_A_STRING, YAML11_FALSE, YAML11_NULL, YAML11_TRUE } from '../yaml/yaml11.js';

/**
 * A fast reader for the block YAML that manifests are nearly always written in: nested block maps and
 * lists, one-line plain or quoted scalars, literal blocks (`|`, `|-`, `|+`), `{}` / `[]`, comment lines.
 * It yields the document's value and the same nodes and source ranges the `yaml` package would (so the
 * in-place editor treats both alike), in a fraction of the time. Anything else (anchors, tags, flow
 * collections, folded blocks, multi-line plain or quoted scalars, escapes, tabs, comments where `yaml`
 * would attach them to a node, values YAML 1.1 reads as other than strings, numbers, booleans or null,
 * errors) returns undefined, and the caller parses with `yaml` instead.
 */
export interface SimpleDocument {
  value: JsonObject;
  root: YAMLMap;
}

/** A document to hand to `Node.toJS` for nodes built here (they have no anchors or custom tags). */
export const SIMPLE_YAML_DOCUMENT = new Document(null, { version: '1.1' });

export function parseSimpleYaml(text: string): SimpleDocument | undefined {
  if (/[\t\r\uFEFF]/.test(text)) return undefined;
  const lines = contentLines(text);
  if (lines === undefined || lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  try {
    const reader = new Reader(text, lines);
    const [root, value] = reader.map(0, lines[0]!.start);
    return reader.atEnd() ? { value, root } : undefined;
  } catch (err) {
    if (err instanceof NotSimple) return undefined;
    throw err;
  }
}

class NotSimple extends Error {}

function bail(): never {
  throw new NotSimple();
}

interface Line {
  start: number;
  end: number;
  /** Start of the following line (after the newline). */
  next: number;
  indent: number;
  /** Comment lines come right before this one. */
  afterComment: boolean;
}

/**
 * The lines that carry content. Blank lines are dropped; comment lines are dropped too, but only where
 * `yaml` attaches them to no node: in the column of the next content line (column 0 at the end).
 */
function contentLines(text: string): Line[] | undefined {
  const lines: Line[] = [];
  const commentColumns: number[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    let indent = 0;
    while (text.charCodeAt(start + indent) === 32) indent++;
    const first = start + indent;
    if (first < end) {
      if (text[first] === '#') commentColumns.push(indent);
      else {
        if (commentColumns.some((c) => c !== indent)) return undefined;
        // Document markers and directives (only in column 0; deeper, such lines are content).
        if (indent === 0 && (text.startsWith('...', first) || text.startsWith('---', first) || text[first] === '%'))
          return undefined;
        lines.push({ start, end, next: nl < 0 ? end : nl + 1, indent, afterComment: commentColumns.length > 0 });
        commentColumns.length = 0;
      }
    }
    start = end + 1;
  }
  if (commentColumns.some((c) => c !== 0)) return undefined;
  // Comments closing the document count as coming before a (virtual) last line.
  if (commentColumns.length > 0)
    lines.push({ start: text.length, end: text.length, next: text.length, indent: -1, afterComment: true });
  return lines;
}

/** Plain scalars may not start with these (or with `- `, `? `, `: `). */
const INDICATOR = /[-?:,[\]{}#&*!|>'"%@`]/;
const INTEGER = /^-?(?:0|[1-9][0-9]{0,14})$/;
const DECIMAL = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;

/** The value of a plain scalar as YAML 1.1 reads it, for the forms this reader accepts. */
function plainValue(text: string): string | number | boolean | null {
  if (text === '<<') bail();
  if (!MAY_NOT_BE_A_STRING.test(text)) return text;
  if (YAML11_NULL.test(text)) return null;
  if (YAML11_TRUE.test(text)) return true;
  if (YAML11_FALSE.test(text)) return false;
  if (INTEGER.test(text) || DECIMAL.test(text)) return Number(text);
  return NOT_A_STRING.test(text) ? bail() : text;
}

function scalarNode(value: unknown, range: [number, number, number]): Scalar {
  const node = new Scalar(value);
  node.range = range;
  return node;
}

type Parsed = [Node, unknown];

class Reader {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly lines: Line[],
  ) {}

  atEnd(): boolean {
    const rest = this.lines.length - this.i;
    return rest === 0 || (rest === 1 && this.lines[this.i]!.indent === -1);
  }

  /** A block map whose keys sit in `column`; its first key starts at `first` on the current line. */
  map(column: number, first: number): [YAMLMap, JsonObject] {
    const node = new YAMLMap();
    const value: JsonObject = {};
    let at = first;
    let end = first;
    for (;;) {
      const line = this.lines[this.i]!;
      const key = this.key(at, line.end) ?? bail();
      if (Object.hasOwn(value, key.value) || key.value === '__proto__') bail();
      const rest = this.skipSpaces(key.after, line.end);
      let item: Parsed;
      if (rest === line.end) {
        this.i++;
        const next = this.lines[this.i] ?? bail();
        if (next.indent > column) item = this.block(next);
        else if (next.indent === column && this.isDash(next.start + column, next.end)) item = this.seq(column);
        else bail();
      } else {
        item = this.inline(rest, line, column);
      }
      node.items.push(new Pair(key.node, item[0]));
      value[key.value] = item[1];
      end = item[0].range![2];
      const next = this.lines[this.i];
      if (!next || next.indent < column) break;
      if (next.indent > column) bail();
      at = next.start + column;
      if (this.isDash(at, next.end)) break;
    }
    node.range = [first, end, end];
    return [node, value];
  }

  /** A block list whose dashes sit in `column`, starting on the current line. */
  seq(column: number): [YAMLSeq, unknown[]] {
    const node = new YAMLSeq();
    const value: unknown[] = [];
    const first = this.lines[this.i]!.start + column;
    let end = first;
    for (;;) {
      const line = this.lines[this.i]!;
      const at = this.skipSpaces(line.start + column + 1, line.end);
      if (at === line.end || this.isDash(at, line.end) || this.text[at] === '#') bail();
      const item = this.key(at, line.end) ? this.map(at - line.start, at) : this.inlineThenNext(at, line, column);
      node.items.push(item[0]);
      value.push(item[1]);
      end = item[0].range![2];
      const next = this.lines[this.i];
      if (!next || next.indent !== column || !this.isDash(next.start + column, next.end)) {
        // `yaml` gives the list comments that follow its last item in its own column or deeper.
        if (next?.afterComment && Math.max(next.indent, 0) >= column) bail();
        break;
      }
    }
    node.range = [first, end, end];
    return [node, value];
  }

  private inlineThenNext(at: number, line: Line, column: number): Parsed {
    const item = this.inline(at, line, column);
    const next = this.lines[this.i];
    if (next && next.indent > column) bail();
    return item;
  }

  private block(line: Line): Parsed {
    const at = line.start + line.indent;
    return this.isDash(at, line.end) ? this.seq(line.indent) : this.map(line.indent, at);
  }

  private isDash(at: number, end: number): boolean {
    return this.text[at] === '-' && (at + 1 === end || this.text[at + 1] === ' ');
  }

  private skipSpaces(at: number, end: number): number {
    while (at < end && this.text.charCodeAt(at) === 32) at++;
    return at;
  }

  /** `key:` at `at`, or undefined when the line holds no key there. */
  private key(at: number, end: number): { node: Scalar; value: string; after: number } | undefined {
    const text = this.text;
    const quote = text[at];
    if (quote === '"' || quote === "'") {
      const close = this.closingQuote(at, end);
      if (close === undefined || text[close + 1] !== ':') return undefined;
      if (close + 2 !== end && text[close + 2] !== ' ') return undefined;
      return {
        node: scalarNode(this.quoted(at, close), [at, close + 1, close + 1]),
        value: this.quoted(at, close),
        after: close + 2,
      };
    }
    const lineText = text.slice(0, end);
    let colon = lineText.indexOf(':', at);
    while (colon !== -1 && colon + 1 !== end && text[colon + 1] !== ' ') colon = lineText.indexOf(':', colon + 1);
    if (colon === -1) return undefined;
    const name = text.slice(at, colon);
    if (name === '' || INDICATOR.test(name[0]!) || name.endsWith(' ') || name.includes(' #')) bail();
    if (plainValue(name) !== name) bail();
    return { node: scalarNode(name, [at, colon, colon]), value: name, after: colon + 1 };
  }

  /** A scalar, `{}` or `[]` from `at` to the end of `line` (a trailing comment allowed). */
  /**
   * The value starting at `at` on `line` (under a key or dash in `column`): a one-line scalar, `{}`, `[]`
   * or a literal block. Moves on to the next content line after it.
   */
  private inline(at: number, line: Line, column: number): Parsed {
    const text = this.text;
    const ch = text[at]!;
    if (ch === '|') return this.literalBlock(at, line, column);
    this.i++;
    if (ch === '"' || ch === "'") {
      const close = this.closingQuote(at, line.end) ?? bail();
      this.expectLineEnd(close + 1, line.end);
      return [scalarNode(this.quoted(at, close), [at, close + 1, line.next]), this.quoted(at, close)];
    }
    if (text.startsWith('{}', at) || text.startsWith('[]', at)) {
      this.expectLineEnd(at + 2, line.end);
      const node = ch === '{' ? new YAMLMap() : new YAMLSeq();
      node.flow = true;
      node.range = [at, at + 2, line.next];
      return [node, ch === '{' ? {} : []];
    }
    if (INDICATOR.test(ch) && !/^[-?:][^ ]/.test(text.slice(at, at + 2))) bail();
    const comment = text.slice(at, line.end).indexOf(' #');
    let end = comment === -1 ? line.end : at + comment;
    while (text.charCodeAt(end - 1) === 32) end--;
    const raw = text.slice(at, end);
    if (raw.includes(': ') || raw.endsWith(':')) bail();
    const value = plainValue(raw);
    return [scalarNode(value, [at, end, line.next]), value];
  }

  /**
   * A literal block (`|`, `|-`, `|+`) whose lines are indented deeper than `column`. Its range ends after
   * its last line, or, when it keeps trailing newlines, after the blank lines it keeps.
   */
  private literalBlock(at: number, line: Line, column: number): Parsed {
    const text = this.text;
    const header = text.slice(at, line.end).trimEnd();
    if (header !== '|' && header !== '|-' && header !== '|+') bail();
    const parts: string[] = [];
    let indent = -1;
    let pos = line.next;
    let contentEnd = line.next;
    let blankLines = 0;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) bail();
      let spaces = 0;
      while (text.charCodeAt(pos + spaces) === 32) spaces++;
      if (pos + spaces === nl) {
        // Lines of spaces deeper than the block would be content; leave those to `yaml`.
        if (spaces > (indent >= 0 ? indent : column)) bail();
        blankLines++;
        pos = nl + 1;
        continue;
      }
      if (indent < 0) {
        if (spaces <= column) break;
        indent = spaces;
      } else if (spaces < indent) break;
      for (; blankLines > 0; blankLines--) parts.push('');
      parts.push(text.slice(pos + indent, nl));
      pos = nl + 1;
      contentEnd = pos;
    }
    if (indent < 0) bail();
    const body = parts.join('\n');
    const keep = header === '|+';
    const value = header === '|-' ? body : `${body}\n${keep ? '\n'.repeat(blankLines) : ''}`;
    const end = keep ? pos : contentEnd;
    while (this.i < this.lines.length && this.lines[this.i]!.start < end) this.i++;
    return [scalarNode(value, [at, end, end]), value];
  }

  /** Only spaces, or spaces and a comment, may follow a quoted scalar or `{}`. */
  private expectLineEnd(at: number, end: number): void {
    const rest = this.skipSpaces(at, end);
    if (rest !== end && !(this.text[rest] === '#' && rest > at)) bail();
  }

  /** Index of the quote closing the scalar opened at `at` on this line; escapes are left to `yaml`. */
  private closingQuote(at: number, end: number): number | undefined {
    const quote = this.text[at]!;
    for (let i = at + 1; i < end; i++) {
      const ch = this.text[i];
      if (quote === '"' && ch === '\\') bail();
      if (ch !== quote) continue;
      if (quote === "'" && this.text[i + 1] === "'") i++;
      else return i;
    }
    return undefined;
  }

  private quoted(open: number, close: number): string {
    const inner = this.text.slice(open + 1, close);
    return this.text[open] === "'" ? inner.replace(/''/g, "'") : inner;
  }
}
