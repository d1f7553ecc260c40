import type { V1CustomResourceColumnDefinition } from '@kubernetes/client-node';
import type {
  CrdMetadataOptions,
  CrdSpec,
  CrdVersion,
  CustomResourceDefinition,
  EmptyCrdStatus,
  JSONSchemaProps,
} from './types.js';

/** A Linkerd CRD without the per-install metadata: what the modules of this folder define. */
export interface CrdDefinition {
  name: string;
  spec: CrdSpec;
  status?: EmptyCrdStatus;
}

export interface VersionOptions {
  deprecationWarning?: string;
  statusSubresource?: boolean;
  printerColumns?: V1CustomResourceColumnDefinition[];
}

/** A served version; `storage` is decided by `defineCrd`. */
export function crdVersion(name: string, schema: JSONSchemaProps, options: VersionOptions = {}): CrdVersion {
  return {
    name,
    served: true,
    storage: false,
    ...(options.deprecationWarning ? { deprecated: true, deprecationWarning: options.deprecationWarning } : {}),
    schema: { openAPIV3Schema: schema },
    ...(options.statusSubresource ? { subresources: { status: {} } } : {}),
    ...(options.printerColumns ? { additionalPrinterColumns: options.printerColumns } : {}),
  };
}

export interface CrdNames {
  group: string;
  kind: string;
  plural: string;
  shortNames?: string[];
  categories?: string[];
}

/** Every Linkerd CRD stores its last listed version (the one `linkerd install` requires). */
export function defineCrd(names: CrdNames, versions: CrdVersion[], status?: EmptyCrdStatus): CrdDefinition {
  return {
    name: `${names.plural}.${names.group}`,
    spec: {
      group: names.group,
      names: {
        ...(names.categories ? { categories: names.categories } : {}),
        kind: names.kind,
        listKind: `${names.kind}List`,
        plural: names.plural,
        ...(names.shortNames ? { shortNames: names.shortNames } : {}),
        singular: names.kind.toLowerCase(),
      },
      scope: 'Namespaced',
      versions: versions.map((v, i) => ({ ...v, storage: i === versions.length - 1 })),
    },
    ...(status ? { status } : {}),
  };
}

export function ownershipLabels(opts: CrdMetadataOptions): Record<string, string> {
  return {
    'helm.sh/chart': `linkerd-crds-${opts.chartVersion.replaceAll('+', '_')}`,
    'linkerd.io/control-plane-ns': opts.controlPlaneNamespace,
  };
}

/** Stamps the install's ownership metadata (§2.4) onto a definition. */
export function withMetadata(def: CrdDefinition, opts: CrdMetadataOptions): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: def.name,
      annotations: { 'linkerd.io/created-by': opts.createdBy },
      labels: ownershipLabels(opts),
    },
    // A fresh tree per render: schema fragments are shared between versions, and a YAML emitter
    // would print shared objects as anchors and aliases.
    spec: JSON.parse(JSON.stringify(def.spec)) as CrdSpec,
    ...(def.status ? { status: structuredClone(def.status) } : {}),
  };
}

export function column(name: string, jsonPath: string, type: string, description?: string) {
  return { name, jsonPath, type, ...(description ? { description } : {}) } satisfies V1CustomResourceColumnDefinition;
}

export const AGE_COLUMN = column('Age', '.metadata.creationTimestamp', 'date');

/** Returns a deep copy of `schema` with `edit` applied to the node at `path` (property names). */
export function editSchema(
  schema: JSONSchemaProps,
  path: readonly string[],
  edit: (node: JSONSchemaProps) => JSONSchemaProps,
): JSONSchemaProps {
  const [head, ...rest] = path;
  if (head === undefined) return edit(structuredClone(schema));
  const child = head === '[]' ? schema.items : schema.properties?.[head];
  if (!child) throw new Error(`schema has no node ${head}`);
  const edited = editSchema(child, rest, edit);
  return head === '[]'
    ? { ...schema, items: edited }
    : { ...schema, properties: { ...schema.properties, [head]: edited } };
}

/** Removes one property (and its `required` entry) from an object node. */
export function withoutProperty(node: JSONSchemaProps, name: string): JSONSchemaProps {
  const { required: oldRequired, properties: oldProperties, ...rest } = node;
  const { [name]: _removed, ...properties } = oldProperties ?? {};
  const required = oldRequired?.filter((r) => r !== name) ?? [];
  return { ...rest, ...(required.length > 0 ? { required } : {}), properties };
}
