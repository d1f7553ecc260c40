import {
  isMap,
  isScalar,
  parseDocument,
  visit,
  YAMLParseError,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
} from 'yaml';

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/**
 * `yaml`'s parseDocument with its duplicate-key check done in linear time. The library compares each
 * new key with every earlier key of its map (quadratic: a 48 000-key ConfigMap took 15 s, a 7 MB values
 * file over a minute); here each map's scalar keys go through one Set. Errors are the library's own
 * (`DUPLICATE_KEY`, `Map keys must be unique`, same position), in source order with the others.
 */
export function parseYamlDocument(text: string, options: Options = {}): Document.Parsed {
  const doc = parseDocument(text, { ...options, uniqueKeys: false });
  if (options.uniqueKeys === false) return doc;
  // Only the first duplicate is reported: callers show the first error, and positions cost a scan.
  let duplicate: YAMLParseError | undefined;
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return undefined;
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        // Like the library's default check: equal scalar values, or the very same node.
        const id = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(id)) {
          seen.add(id);
          continue;
        }
        const at = (isScalar(pair.key) && pair.key.range?.[0]) || 0;
        duplicate = duplicateKeyError(text, at, options.prettyErrors !== false);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (duplicate) {
    doc.errors.push(duplicate);
    doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
  }
  return doc;
}

function duplicateKeyError(text: string, offset: number, pretty: boolean): YAMLParseError {
  const error = new YAMLParseError([offset, offset + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
  const before = text.slice(0, offset).split('\n');
  const pos = { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
  error.linePos = [pos];
  if (pretty) error.message += ` at line ${pos.line}, column ${pos.col}`;
  return error;
}
