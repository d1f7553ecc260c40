import { MAY_NOT_BE_A_STRING, NOT_A_STRING } from './yaml11.js';

/**
 * A small block-YAML emitter for JSON-shaped values (maps, lists, strings, numbers, booleans, null). It
 * writes what the `yaml` package writes with `lineWidth: 0` and literal blocks for multi-line strings,
 * byte for byte, at a fraction of the cost. Deliberate differences: strings YAML 1.2 would read as
 * numbers (`0o17`) are quoted too, so output reads back the same under YAML 1.1 and 1.2; a literal block
 * starting with a space gets the indentation indicator its actual indentation needs (`yaml` writes `2`
 * whatever the indent). Values it cannot write that way (control characters, multi-line keys, strings
 * that look like document markers, …) are declined (undefined), and the caller falls back to `yaml`.
 */
/** How nested blocks are laid out. */
export interface BlockLayout {
  /** Spaces per nesting level. */
  indent: number;
  /** Whether `- ` items sit one level deeper than their key (`key:\n  - a`) or at the key's column. */
  indentSeq: boolean;
}

/** Thrown inside the emitter for values it leaves to the `yaml` package. */
class Unsupported extends Error {}

/** A plain scalar starting or containing these would be misread, so it gets quoted (yaml's own test). */
const PLAIN_UNSAFE = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
// eslint-disable-next-line no-control-regex -- these are exactly the characters that need escapes
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const MAX_IMPLICIT_KEY = 1024;

function quoted(text: string): string {
  return text.includes('"') && !text.includes("'") ? `'${text}'` : JSON.stringify(text);
}

/** A single-line string as a plain scalar when that reads back as the same string, else quoted. */
function flowString(text: string): string {
  let out = flowStrings.get(text);
  if (out === undefined) {
    if (CONTROL.test(text) || DOCUMENT_MARKER.test(text)) throw new Unsupported();
    const quote = PLAIN_UNSAFE.test(text) || (MAY_NOT_BE_A_STRING.test(text) && NOT_A_STRING.test(text));
    out = quote ? quoted(text) : text;
    // Injected sidecars repeat the same names and values document after document.
    if (flowStrings.size >= FLOW_STRING_MEMO_LIMIT) flowStrings.clear();
    flowStrings.set(text, out);
  }
  return out;
}

const FLOW_STRING_MEMO_LIMIT = 10_000;
const flowStrings = new Map<string, string>();

function keyText(key: string): string {
  // `<<` as a key is a merge under YAML 1.1.
  if (key.includes('\n') || key.length > MAX_IMPLICIT_KEY || key === '<<') throw new Unsupported();
  return flowString(key);
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value < 0 ? '-.inf' : '.inf';
  return Object.is(value, -0) ? '-0' : JSON.stringify(value);
}

/**
 * A multi-line string as a literal block (header, then lines at `pad`), with the chomping indicator
 * that keeps its trailing newlines and an indentation indicator when it starts with a space.
 */
function literalBlock(text: string, pad: string, indicator: number): string {
  if (CONTROL.test(text) || /\n[\t ]+$/.test(text)) throw new Unsupported();
  let endStart = text.length;
  while (endStart > 0 && '\n\t '.includes(text[endStart - 1]!)) endStart--;
  let end = text.slice(endStart);
  const endNewline = end.indexOf('\n');
  const chomp = endNewline === -1 ? '-' : text === end || endNewline !== end.length - 1 ? '+' : '';
  let body = text.slice(0, endStart);
  if (end.endsWith('\n')) end = end.slice(0, -1);
  end = end.replace(/(^|(?<!\n))\n+(?!\n|$)/g, `$&${pad}`);
  let startsWithSpace = false;
  let startEnd = 0;
  let lastNewline = -1;
  for (; startEnd < body.length; startEnd++) {
    const ch = body[startEnd];
    if (ch === ' ') startsWithSpace = true;
    else if (ch === '\n') lastNewline = startEnd;
    else break;
  }
  let start = body.slice(0, lastNewline < startEnd ? lastNewline + 1 : startEnd);
  body = body.slice(start.length);
  start = start.replace(/\n+/g, `$&${pad}`);
  const header = `${startsWithSpace ? indicator : ''}${chomp}`;
  return `|${header}\n${pad}${start}${body.replace(/\n+/g, `$&${pad}`)}${end}`;
}

function isPlainRecord(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function definedEntries(map: Record<string, unknown>): [string, unknown][] {
  const entries: [string, unknown][] = [];
  for (const key in map) {
    const value = map[key];
    if (value !== undefined && Object.hasOwn(map, key)) entries.push([key, value]);
  }
  return entries;
}

const pads: string[] = [];
function pad(column: number): string {
  return (pads[column] ??= ' '.repeat(column));
}

/** Writes block YAML as strings (concatenated: cheaper than collecting pieces for these sizes). */
class Emitter {
  constructor(private readonly layout: BlockLayout) {}

  /** Lines (no final newline) for map entries with keys in column `column`; the first unindented when `inline`. */
  entries(entries: [string, unknown][], column: number, inline = false): string {
    let out = '';
    for (let i = 0; i < entries.length; i++) {
      const [key, value] = entries[i]!;
      out += `${i > 0 ? '\n' : ''}${inline && i === 0 ? '' : pad(column)}${keyText(key)}:${this.afterKey(value, column)}`;
    }
    return out;
  }

  /** Lines (no final newline) for list items with dashes in column `column`; the first unindented when `inline`. */
  items(items: readonly unknown[], column: number, inline = false): string {
    let out = '';
    for (let i = 0; i < items.length; i++) {
      out += `${i > 0 ? '\n' : ''}${inline && i === 0 ? '' : pad(column)}-${this.afterDash(items[i], column)}`;
    }
    return out;
  }

  /** What follows `key:` for a key in column `column` (no final newline). */
  afterKey(value: unknown, column: number): string {
    const { indent, indentSeq } = this.layout;
    if (Array.isArray(value) && value.length > 0) {
      // Like `yaml`: without indentSeq the dashes sit two columns left of where map keys would go.
      const dashes = Math.max(column + (indentSeq ? indent : indent - 2), 0);
      return `\n${this.items(value, dashes)}`;
    }
    const entries = this.nonEmptyMap(value);
    if (entries !== undefined) return `\n${this.entries(entries, column + indent)}`;
    return ` ${this.scalar(value, column + indent, indent)}`;
  }

  /** What follows `-` for an item whose dash is in column `column` (no final newline). */
  afterDash(value: unknown, column: number): string {
    if (Array.isArray(value) && value.length > 0) return ` ${this.items(value, column + 2, true)}`;
    const entries = this.nonEmptyMap(value);
    if (entries !== undefined) return ` ${this.entries(entries, column + 2, true)}`;
    return ` ${this.scalar(value, column + 2, 2)}`;
  }

  /** The entries of a map with at least one defined value; undefined for anything else. */
  private nonEmptyMap(value: unknown): [string, unknown][] | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!isPlainRecord(value)) throw new Unsupported();
    const entries = definedEntries(value);
    return entries.length > 0 ? entries : undefined;
  }

  /** An inline value; `column` is where a literal block's lines go, `indicator` their offset from the parent. */
  private scalar(value: unknown, column: number, indicator: number): string {
    switch (typeof value) {
      case 'string':
        return value.includes('\n') ? literalBlock(value, pad(column), indicator) : flowString(value);
      case 'number':
        return numberText(value);
      case 'boolean':
        return String(value);
      case 'undefined':
        return 'null';
      case 'object':
        if (value === null) return 'null';
        return Array.isArray(value) ? '[]' : '{}';
      default:
        throw new Unsupported();
    }
  }
}

function run(layout: BlockLayout, write: (emitter: Emitter) => string): string | undefined {
  try {
    return write(new Emitter(layout));
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** Complete lines for the entries of `map` with keys in column `column`, or undefined when unsupported. */
export function blockEntries(map: Record<string, unknown>, column: number, layout: BlockLayout): string | undefined {
  const entries = definedEntries(map);
  return run(layout, (e) => (entries.length > 0 ? `${e.entries(entries, column)}\n` : ''));
}

/** Complete lines for `items` with dashes in column `column`, or undefined when unsupported. */
export function blockItems(items: readonly unknown[], column: number, layout: BlockLayout): string | undefined {
  return run(layout, (e) => (items.length > 0 ? `${e.items(items, column)}\n` : ''));
}

/** The text after `key:` for a key in column `column` (no final newline), or undefined when unsupported. */
export function blockAfterKey(value: unknown, column: number, layout: BlockLayout): string | undefined {
  return run(layout, (e) => e.afterKey(value, column));
}

/** The text after `-` for a dash in column `column` (no final newline), or undefined when unsupported. */
export function blockAfterDash(value: unknown, column: number, layout: BlockLayout): string | undefined {
  return run(layout, (e) => e.afterDash(value, column));
}

/** A whole document for a non-empty map or list at the root, or undefined (unsupported, or anything else). */
export function blockDocument(value: unknown, layout: BlockLayout): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? blockItems(value, 0, layout) : undefined;
  if (typeof value !== 'object' || value === null || !isPlainRecord(value)) return undefined;
  const text = blockEntries(value, 0, layout);
  return text === '' ? undefined : text;
}
