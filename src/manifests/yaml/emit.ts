import { Document, isScalar, visit, Scalar } from 'yaml';
import { blockDocument } from './block-yaml.js';

/**
 * YAML output that every consumer reads the same way: YAML 1.1-safe scalars (strings such as `no`,
 * `on`, `y`, `0755` are quoted, so kubectl's YAML 1.1 parser keeps them strings), no line folding
 * (PEM and base64 stay intact), multi-line strings as literal blocks, key order as built.
 */
export interface YamlLayout {
  /** Spaces per nesting level (default 2). */
  indent?: number;
  /** Whether `- ` items sit one level deeper than their key (default true, as Linkerd prints). */
  indentSeq?: boolean;
}

export function toYaml(value: unknown, layout: YamlLayout = {}): string {
  const resolved = { indent: layout.indent ?? 2, indentSeq: layout.indentSeq ?? true };
  return blockDocument(value, resolved) ?? toYamlWithLibrary(value, resolved);
}

/**
 * The same output through the `yaml` package: for the values the block emitter declines (control
 * characters, multi-line keys, scalars or empty collections at the root, …).
 */
export function toYamlWithLibrary(value: unknown, layout: Required<YamlLayout>): string {
  const doc = new Document(value, { version: '1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && node.value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
    },
  });
  return doc.toString({ lineWidth: 0, minContentWidth: 0, indent: layout.indent, indentSeq: layout.indentSeq });
}

/** Several objects as one multi-document YAML stream, each document opened with `---`. */
export function toYamlStream(objects: readonly unknown[], banners: readonly (string | undefined)[] = []): string {
  return objects
    .map((o, i) => {
      const banner = banners[i];
      return `---\n${banner ? `${banner}\n` : ''}${toYaml(o)}`;
    })
    .join('');
}

/** `-o json`: one compact JSON document per line, one per object, as Linkerd prints it. */
export function toJsonLines(objects: readonly unknown[]): string {
  return objects.map((o) => `${JSON.stringify(o)}\n`).join('');
}

export function isYamlScalarNode(node: unknown): node is Scalar {
  return isScalar(node);
}
