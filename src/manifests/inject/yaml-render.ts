import { Document, Scalar, visit } from 'yaml';

/** How the surrounding document lays out nested blocks, so inserted text looks like its neighbours. */
export interface YamlStyle {
  /** Spaces per nesting level. */
  indent: number;
  /** Whether `- ` items sit one level deeper than their key (`key:\n  - a`) or at the key's column. */
  indentSeq: boolean;
}

export const DEFAULT_STYLE: YamlStyle = { indent: 2, indentSeq: false };

/**
 * Block YAML for `value`, YAML 1.1-safe (strings such as `true`, `1234`, `yes`, `0755` are quoted, so
 * kubectl reads them back as strings), never folded, multi-line strings as literal blocks.
 */
export function renderYaml(value: unknown, style: YamlStyle): string {
  // Injecting a stream renders the same sidecar over and over; rendering dominates, hashing is cheap.
  const key = `${style.indent}${style.indentSeq ? 's' : ''}${JSON.stringify(value)}`;
  const cached = renderCache.get(key);
  if (cached !== undefined) return cached;
  const text = renderUncached(value, style);
  if (renderCache.size >= RENDER_CACHE_LIMIT) renderCache.clear();
  renderCache.set(key, text);
  return text;
}

const RENDER_CACHE_LIMIT = 512;
const renderCache = new Map<string, string>();

function renderUncached(value: unknown, style: YamlStyle): string {
  const doc = new Document(value, { version: '1.1' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indent: style.indent, indentSeq: style.indentSeq });
}

/** Shifts every non-empty line but the first right by `column` spaces (empty lines stay empty). */
function shiftTail(text: string, column: number): string {
  if (column === 0) return text;
  const pad = ' '.repeat(column);
  return text.replace(/\n(?=[^\n])/g, `\n${pad}`);
}

/** The text that follows `key:` for `value`, as it would appear at a key in column `column` (no final newline). */
export function renderAfterKey(value: unknown, column: number, style: YamlStyle): string {
  const text = renderYaml({ k: value }, style).replace(/\n$/, '');
  return shiftTail(text.slice(2), column);
}

/** The text that follows `-` for a sequence item whose dash is in column `column` (no final newline). */
export function renderAfterDash(value: unknown, column: number, style: YamlStyle): string {
  const text = renderYaml([value], style).replace(/\n$/, '');
  return shiftTail(text.slice(1), column);
}

/** Complete lines for new map entries whose keys start in column `column`. */
export function renderEntries(entries: Record<string, unknown>, column: number, style: YamlStyle): string {
  const flat = Object.entries(entries);
  // Labels and annotations: one line each, no need for the general renderer.
  if (flat.every(([, v]) => typeof v === 'string' && !v.includes('\n'))) {
    const pad = ' '.repeat(column);
    return flat.map(([k, v]) => `${pad}${flatScalar(k)}: ${flatScalar(v as string)}\n`).join('');
  }
  return indentLines(renderYaml(entries, style), column);
}

/** YAML 1.1 reads these plain scalars as something other than a string. */
const YAML11_SPECIAL = /^(y|yes|n|no|true|false|on|off|null|~)$/i;

/** A plain scalar when that is unambiguous in YAML 1.1 and 1.2, else a double-quoted (JSON) string. */
function flatScalar(text: string): string {
  const word = /^[A-Za-z_]([A-Za-z0-9_./ -]*[A-Za-z0-9_./-])?$/.test(text) && !YAML11_SPECIAL.test(text);
  // Digests and similar hex: never a number unless it is all digits or looks like an exponent.
  const hex = /^[0-9a-f]+$/.test(text) && /[a-f]/.test(text) && !/^\d+e\d+$/.test(text);
  const plain = word || hex;
  return plain ? text : JSON.stringify(text);
}

/** Complete lines for new sequence items whose dashes sit in column `column`. */
export function renderItems(items: readonly unknown[], column: number, style: YamlStyle): string {
  return indentLines(renderYaml(items, style), column);
}

function indentLines(text: string, column: number): string {
  return column === 0 ? text : ' '.repeat(column) + shiftTail(text, column);
}
