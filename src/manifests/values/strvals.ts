/**
 * Helm's `--set` syntax (strvals): `a.b=c,d[0]=e,f={x,y}`, `\` escapes the next character, later
 * assignments win. `--set` infers bool/int/null, `--set-string` keeps strings, `--set-file` reads files.
 */
import type { ValuesTree } from './types.js';
import { isPlainObject } from './merge.js';

/** Turns the raw text of one value into the value to store. */
export type ValueReader = (raw: string) => unknown;

const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;

/** Helm's typedVal: true/false/null (any case), int64 without leading zero, else the string. */
export function inferType(raw: string): unknown {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (raw === '0') return 0;
  if (raw !== '' && raw[0] !== '0' && /^[+-]?\d+$/.test(raw)) {
    const n = Number(raw);
    // Beyond 2^53 a JS number would silently change the value; keep the text instead.
    return Number.isSafeInteger(n) ? n : raw;
  }
  return raw;
}

export const stringReader: ValueReader = (raw) => raw;
export const typedReader: ValueReader = inferType;

type ScanResult = { text: string; stop: string | undefined };

class StrvalsParser {
  private pos = 0;
  /** Top-level key and key path (as written, up to `=`) of every assignment, in order. */
  readonly assignments: { first: string; path: string }[] = [];

  constructor(
    private readonly input: string,
    private readonly reader: ValueReader,
  ) {}

  parseInto(data: ValuesTree): void {
    while (this.pos < this.input.length) {
      const start = this.pos;
      const eq = this.input.slice(start).search(/(?<!\\)=/);
      const path = eq < 0 ? this.input.slice(start) : this.input.slice(start, start + eq);
      const first = path.split(/(?<!\\)[.[]/)[0]?.replace(/\\(.)/g, '$1') ?? '';
      this.assignments.push({ first, path });
      this.key(data, 0);
    }
  }

  private scan(stops: string): ScanResult {
    let text = '';
    while (this.pos < this.input.length) {
      const ch = this.input[this.pos++] as string;
      if (ch === '\\') {
        if (this.pos < this.input.length) text += this.input[this.pos++];
        continue;
      }
      if (stops.includes(ch)) return { text, stop: ch };
      text += ch;
    }
    return { text, stop: undefined };
  }

  private key(data: ValuesTree, level: number): void {
    const { text: k, stop } = this.scan('=[,.');
    switch (stop) {
      case undefined:
        if (k.length > 0) throw new Error(`key "${k}" has no value`);
        return;
      case ',':
        throw new Error(`key "${k}" has no value (cannot end with ,)`);
      case '=':
        data[k] = this.value();
        return;
      case '[': {
        const index = this.index();
        const existing = data[k];
        data[k] = this.listItem(Array.isArray(existing) ? existing : [], index, level);
        return;
      }
      case '.': {
        if (level + 1 > MAX_NESTED_NAME_LEVEL) {
          throw new Error(
            `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
          );
        }
        const existing = data[k];
        const inner = isPlainObject(existing) ? existing : {};
        this.key(inner, level + 1);
        if (Object.keys(inner).length === 0) throw new Error(`key map "${k}" has no value`);
        data[k] = inner;
        return;
      }
    }
  }

  private index(): number {
    const { text, stop } = this.scan(']');
    if (stop === undefined || !/^[+-]?\d+$/.test(text)) {
      throw new Error(`error parsing index: strconv.Atoi: parsing "${text}": invalid syntax`);
    }
    const i = Number(text);
    if (i < 0) throw new Error(`negative ${i} index not allowed`);
    if (i > MAX_INDEX) throw new Error(`index of ${i} is greater than maximum supported index ${MAX_INDEX}`);
    return i;
  }

  private listItem(list: unknown[], i: number, level: number): unknown[] {
    const { text, stop } = this.scan('[.=');
    if (text.length > 0) throw new Error(`unexpected data at end of array index: "${text}"`);
    const out = [...list];
    while (out.length <= i) out.push(null);
    switch (stop) {
      case '=':
        out[i] = this.value();
        return out;
      case '[': {
        const next = this.index();
        out[i] = this.listItem(Array.isArray(out[i]) ? (out[i] as unknown[]) : [], next, level);
        return out;
      }
      case '.': {
        const inner = isPlainObject(out[i]) ? (out[i] as ValuesTree) : {};
        this.key(inner, level + 1);
        out[i] = inner;
        return out;
      }
      default:
        throw new Error('parse error: unexpected end of array index');
    }
  }

  /** After `=`: a `{a,b}` list or a plain value up to the next unescaped comma. */
  private value(): unknown {
    if (this.input[this.pos] !== '{') return this.reader(this.scan(',').text);
    this.pos++;
    const items: unknown[] = [];
    for (;;) {
      const { text, stop } = this.scan(',}');
      if (stop === undefined) throw new Error("list must terminate with '}'");
      if (stop === '}') {
        if (text !== '' || items.length > 0) items.push(this.reader(text));
        if (this.input[this.pos] === ',') this.pos++;
        return items;
      }
      items.push(this.reader(text));
    }
  }
}

/**
 * Parses one `--set`-style expression into `data` (mutated, like Helm's ParseInto). Returns the
 * assignments' top-level keys and paths so callers can check them.
 */
export function parseSetInto(
  expression: string,
  data: ValuesTree,
  reader: ValueReader,
): { first: string; path: string }[] {
  const parser = new StrvalsParser(expression, reader);
  parser.parseInto(data);
  return parser.assignments;
}
