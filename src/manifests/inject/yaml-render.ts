import { toYamlWithLibrary } from '../yaml/emit.js';
import { blockAfterDash, blockAfterKey, blockEntries, blockItems, type BlockLayout } from '../yaml/block-yaml.js';

/** How the surrounding document lays out nested blocks, so inserted text looks like its neighbours. */
export type YamlStyle = BlockLayout;

export const DEFAULT_STYLE: YamlStyle = { indent: 2, indentSeq: false };

/*
 * Block YAML for inserted values, YAML 1.1-safe (strings such as `true`, `1234`, `yes`, `0755` are
 * quoted, so kubectl reads them back as strings), never folded, multi-line strings as literal blocks.
 * The dedicated emitter writes nearly everything; the rare values it declines (control characters,
 * multi-line keys, …) go through the `yaml` package and are shifted into place.
 */

/** Shifts every non-empty line but the first right by `column` spaces (empty lines stay empty). */
function shiftTail(text: string, column: number): string {
  if (column === 0) return text;
  const pad = ' '.repeat(column);
  return text.replace(/\n(?=[^\n])/g, `\n${pad}`);
}

function indentLines(text: string, column: number): string {
  return column === 0 ? text : ' '.repeat(column) + shiftTail(text, column);
}

/** The text that follows `key:` for `value`, as it would appear at a key in column `column` (no final newline). */
export function renderAfterKey(value: unknown, column: number, style: YamlStyle): string {
  return (
    blockAfterKey(value, column, style) ??
    shiftTail(toYamlWithLibrary({ k: value }, style).replace(/\n$/, '').slice(2), column)
  );
}

/** The text that follows `-` for a sequence item whose dash is in column `column` (no final newline). */
export function renderAfterDash(value: unknown, column: number, style: YamlStyle): string {
  return (
    blockAfterDash(value, column, style) ??
    shiftTail(toYamlWithLibrary([value], style).replace(/\n$/, '').slice(1), column)
  );
}

/** Complete lines for new map entries whose keys start in column `column`. */
export function renderEntries(entries: Record<string, unknown>, column: number, style: YamlStyle): string {
  return blockEntries(entries, column, style) ?? indentLines(toYamlWithLibrary(entries, style), column);
}

/** Complete lines for new sequence items whose dashes sit in column `column`. */
export function renderItems(items: readonly unknown[], column: number, style: YamlStyle): string {
  return blockItems(items, column, style) ?? indentLines(toYamlWithLibrary(items, style), column);
}
