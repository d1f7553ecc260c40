import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { renderAfterDash, renderAfterKey, renderEntries, renderItems, type YamlStyle } from './yaml-render.js';
import { isPlainObject, jsonEqual } from './json.js';

/** Replace `text[start, end)` with `text`; an insertion has `start === end`. */
interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Rewrites the YAML source of one document so that it parses to `target`, touching only what differs:
 * unchanged keys, items, comments, quoting, blank lines and key order keep their exact bytes; removed
 * entries take their whole lines with them; new entries are appended (map keys) or placed where the
 * target order puts them (sequence items) in the document's own indentation style.
 *
 * Where a minimal edit is impossible (flow collections, anchors, `<<` merges, a first key sharing its
 * line with `- `) the smallest enclosing value is re-rendered instead.
 */
export function rewriteYamlDocument(
  source: string,
  root: Node | null,
  doc: Document,
  target: unknown,
  style: YamlStyle,
): string {
  const editor = new Editor(source, doc, style);
  let edits: Edit[] | null = root && root.range ? editor.diff(root, target) : null;
  if (edits === null) {
    const [start, end] =
      root && root.range ? [root.range[0], contentEnd(source, root)] : [source.length, source.length];
    const body = renderEntriesOrValue(target, style);
    edits = [{ start, end, text: start === source.length && !source.endsWith('\n') && source ? `\n${body}` : body }];
  }
  return applyEdits(source, edits);
}

function renderEntriesOrValue(target: unknown, style: YamlStyle): string {
  if (isPlainObject(target) && Object.keys(target).length > 0)
    return renderEntries(target, 0, style).replace(/\n$/, '');
  if (Array.isArray(target) && target.length > 0) return renderItems(target, 0, style).replace(/\n$/, '');
  return renderAfterKey(target, 0, style).trimStart();
}

function applyEdits(source: string, edits: Edit[]): string {
  // Insertions before deletions at the same offset, so a deletion never swallows inserted text.
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let cursor = 0;
  for (const e of edits) {
    out += source.slice(cursor, e.start) + e.text;
    cursor = e.end;
  }
  return out + source.slice(cursor);
}

/** End of a node's content, before trailing whitespace (the final newline stays where it was). */
function contentEnd(source: string, node: Node): number {
  let end = node.range![1];
  while (end > node.range![0] && /\s/.test(source[end - 1]!)) end--;
  return end;
}

class Editor {
  constructor(
    private readonly source: string,
    /** What `toJS` needs to resolve the nodes. */
    private readonly doc: Document,
    private readonly style: YamlStyle,
  ) {}

  /** Edits turning `node` into `target`, or null when the caller must re-render the node whole. */
  diff(node: Node, target: unknown): Edit[] | null {
    if (isAlias(node)) return jsonEqual(node.toJS(this.doc), target) ? [] : null;
    if (isScalar(node)) {
      if (node.value === target || (node.value === null && target === null)) return [];
      if (isPlainObject(target) || Array.isArray(target)) return null;
      if (typeof target === 'string' && target.includes('\n')) return null;
      return [
        {
          start: node.range![0],
          end: contentEnd(this.source, node),
          text: renderAfterKey(target, 0, this.style).trimStart(),
        },
      ];
    }
    if (isMap(node)) {
      if (!isPlainObject(target) || hasMergeKey(node)) return this.equalOrNull(node, target);
      if (node.flow) return this.diffFlowMap(node, target);
      return this.diffMap(node, target);
    }
    if (isSeq(node)) {
      if (!Array.isArray(target) || node.flow) return this.equalOrNull(node, target);
      return this.diffSeq(node, target);
    }
    return null;
  }

  private equalOrNull(node: Node, target: unknown): Edit[] | null {
    return jsonEqual(node.toJS(this.doc), target) ? [] : null;
  }

  private diffMap(node: YAMLMap, target: Record<string, unknown>): Edit[] | null {
    if (Object.keys(target).length === 0) return node.items.length === 0 ? [] : null;
    const edits: Edit[] = [];
    /** Where each kept key's line starts, or -1 when it shares its line (`- key:`). */
    const lineOf = new Map<string, number>();
    let column = -1;
    let lastEnd = -1;
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) return null;
      const key = String(pair.key.value);
      const keyStart = pair.key.range[0];
      lineOf.set(key, this.startsLine(keyStart) ? lineStart(this.source, keyStart) : -1);
      column = keyStart - lineStart(this.source, keyStart);
      lastEnd = this.pairEnd(pair);
      if (!Object.hasOwn(target, key)) {
        if (!this.startsLine(keyStart)) return null;
        edits.push({ start: lineStart(this.source, keyStart), end: lastEnd, text: '' });
        continue;
      }
      const value = pair.value as Node | null;
      const sub = value && value.range ? this.diff(value, target[key]) : null;
      edits.push(...(sub ?? [this.replacePairValue(pair, target[key], column)]));
    }
    // New keys go before the kept key that follows them in the target, or at the end.
    let pending: Record<string, unknown> = {};
    const insert = (offset: number): void => {
      if (Object.keys(pending).length === 0) return;
      edits.push({
        start: offset,
        end: offset,
        text: this.lineBreakAt(offset) + renderEntries(pending, column, this.style),
      });
      pending = {};
    };
    for (const [key, value] of Object.entries(target)) {
      const line = lineOf.get(key);
      if (line === undefined) pending[key] = value;
      else if (line >= 0) insert(line);
    }
    if (Object.keys(pending).length > 0 && column < 0) return null;
    insert(lastEnd);
    return edits;
  }

  /**
   * Flow maps (`labels: {app: web}`) keep their style: new entries go before the closing brace as
   * `, key: value`, removed entries take their separator with them.
   */
  private diffFlowMap(node: YAMLMap, target: Record<string, unknown>): Edit[] | null {
    const edits: Edit[] = [];
    const spans: { start: number; end: number; kept: boolean }[] = [];
    const seen = new Set<string>();
    for (const pair of node.items) {
      const value = pair.value as Node | null;
      if (!isScalar(pair.key) || !pair.key.range || !value || !value.range) return null;
      const key = String(pair.key.value);
      seen.add(key);
      const kept = Object.hasOwn(target, key);
      spans.push({ start: pair.key.range[0], end: contentEnd(this.source, value), kept });
      if (!kept) continue;
      if (!isScalar(value)) {
        if (!jsonEqual(value.toJS(this.doc), target[key])) return null;
      } else if (value.value !== target[key]) {
        if (!isFlowScalar(target[key])) return null;
        edits.push({ start: value.range[0], end: contentEnd(this.source, value), text: flowScalar(target[key]) });
      }
    }
    const keptSpans = spans.filter((s) => s.kept);
    const added = Object.entries(target).filter(([k]) => !seen.has(k));
    if (keptSpans.length === 0 || added.some(([, v]) => !isFlowScalar(v))) return null;
    spans.forEach((span, i) => {
      if (span.kept) return;
      // Remove `, key: value` (or `key: value, ` for the first entry).
      if (i > 0) edits.push({ start: spans[i - 1]!.end, end: span.end, text: '' });
      else edits.push({ start: span.start, end: spans[1]!.start, text: '' });
    });
    if (added.length > 0) {
      const at = spans[spans.length - 1]!.end;
      edits.push({ start: at, end: at, text: added.map(([k, v]) => `, ${flowScalar(k)}: ${flowScalar(v)}`).join('') });
    }
    return edits;
  }

  private diffSeq(node: YAMLSeq, target: unknown[]): Edit[] | null {
    if (target.length === 0) return node.items.length === 0 ? [] : null;
    const items = node.items as (Node | null)[];
    if (items.some((item) => item === null || !item.range || isPair(item))) return null;
    const nodes = items as Node[];
    const dashes = nodes.map((item) => this.dashBefore(item));
    if (dashes.some((d) => d < 0 || !this.startsLine(d))) return null;
    const matches = alignSequences(
      nodes.map((item) => identityOf(item.toJS(this.doc))),
      target.map(identityOf),
    );
    const edits: Edit[] = [];
    const column = dashes[0]! - lineStart(this.source, dashes[0]!);
    let nextTarget = 0;
    const insertBefore = (offset: number, upTo: number): void => {
      if (upTo > nextTarget) {
        edits.push({
          start: offset,
          end: offset,
          text: this.lineBreakAt(offset) + renderItems(target.slice(nextTarget, upTo), column, this.style),
        });
      }
      nextTarget = upTo;
    };
    for (let i = 0; i < nodes.length; i++) {
      const item = nodes[i]!;
      const start = lineStart(this.source, dashes[i]!);
      const end = this.lineEndAfter(item.range![2]);
      const j = matches.get(i);
      if (j === undefined) {
        edits.push({ start, end, text: '' });
        continue;
      }
      insertBefore(start, j);
      const sub = this.diff(item, target[j]);
      edits.push(
        ...(sub ?? [
          {
            start: dashes[i]! + 1,
            end: contentEnd(this.source, item),
            text: renderAfterDash(target[j], column, this.style),
          },
        ]),
      );
      nextTarget = j + 1;
    }
    const last = nodes[nodes.length - 1]!;
    insertBefore(this.lineEndAfter(last.range![2]), target.length);
    return edits;
  }

  /** Replaces what follows `key:` (keeping the key, and the comment of a scalar value). */
  private replacePairValue(pair: Pair, value: unknown, column: number): Edit {
    const key = pair.key as Node;
    const colon = this.source.indexOf(':', key.range![1]);
    const node = pair.value as Node | null;
    const end = node && node.range ? contentEnd(this.source, node) : colon + 1;
    return { start: colon + 1, end: Math.max(end, colon + 1), text: renderAfterKey(value, column, this.style) };
  }

  private pairEnd(pair: Pair): number {
    const key = pair.key as Node;
    const value = pair.value as Node | null;
    const end = Math.max(key.range![2], value && value.range ? value.range[2] : 0);
    return this.lineEndAfter(end);
  }

  /** The offset just after the line holding `offset - 1` (i.e. `offset` when it already starts a line). */
  private lineEndAfter(offset: number): number {
    if (offset > 0 && this.source[offset - 1] === '\n') return offset;
    const nl = this.source.indexOf('\n', offset);
    return nl < 0 ? this.source.length : nl + 1;
  }

  /** New lines inserted at the very end of a document without a final newline need one first. */
  private lineBreakAt(offset: number): string {
    return offset > 0 && this.source[offset - 1] !== '\n' ? '\n' : '';
  }

  private startsLine(offset: number): boolean {
    return /^[ ]*$/.test(this.source.slice(lineStart(this.source, offset), offset));
  }

  private dashBefore(item: Node): number {
    let i = item.range![0] - 1;
    while (i >= 0 && /\s/.test(this.source[i]!)) i--;
    return this.source[i] === '-' ? i : -1;
  }
}

function isFlowScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** A scalar as it may appear inside `{…}`: YAML 1.1-safe and quoted when flow indicators demand it. */
function flowScalar(value: unknown): string {
  const plain = renderAfterKey(value, 0, { indent: 2, indentSeq: false }).trimStart();
  return typeof value === 'string' && /[,[\]{}]|^\s|\s$/.test(value) ? JSON.stringify(value) : plain;
}

function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

function hasMergeKey(node: YAMLMap): boolean {
  return node.items.some((p) => isScalar(p.key) && p.key.value === '<<');
}

/** Items are matched by `name` when they have one (containers, env, volumes, ports), else by value. */
function identityOf(value: unknown): string {
  if (isPlainObject(value) && typeof value.name === 'string') return `name:${value.name}`;
  return `value:${JSON.stringify(value)}`;
}

/** Longest common subsequence of two key lists: original index → target index. */
export function alignSequences(from: readonly string[], to: readonly string[]): Map<number, number> {
  const n = from.length;
  const m = to.length;
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = from[i] === to[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const matches = new Map<number, number>();
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (from[i] === to[j]) {
      matches.set(i++, j++);
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return matches;
}
