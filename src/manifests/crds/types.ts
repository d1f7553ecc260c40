import type {
  V1CustomResourceColumnDefinition,
  V1CustomResourceDefinitionNames,
  V1CustomResourceDefinitionVersion,
  V1JSONSchemaProps,
  V1ValidationRule,
} from '@kubernetes/client-node';

/**
 * The wire shape of an OpenAPI v3 schema inside a CRD. client-node's V1JSONSchemaProps renames the
 * keywords that are not valid TypeScript identifiers (`_default`, `_enum`, `x_kubernetes_…`) and only
 * restores the real names through its ObjectSerializer, so the keywords are re-declared here under
 * the names the API server reads.
 */
export interface JSONSchemaProps extends Omit<
  V1JSONSchemaProps,
  | '_default'
  | '_enum'
  | 'items'
  | 'properties'
  | 'additionalProperties'
  | 'allOf'
  | 'anyOf'
  | 'oneOf'
  | 'not'
  | 'definitions'
  | 'patternProperties'
  | 'dependencies'
  | 'additionalItems'
  | `x_kubernetes_${string}`
> {
  default?: unknown;
  enum?: unknown[];
  items?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: V1ValidationRule[];
}

export interface CrdVersion extends Omit<V1CustomResourceDefinitionVersion, 'schema' | 'additionalPrinterColumns'> {
  schema: { openAPIV3Schema: JSONSchemaProps };
  additionalPrinterColumns?: V1CustomResourceColumnDefinition[];
}

export interface CrdSpec {
  group: string;
  names: V1CustomResourceDefinitionNames;
  scope: 'Namespaced' | 'Cluster';
  versions: CrdVersion[];
}

/** The empty status block some upstream manifests carry (`conditions` is `[]` or `null` depending on the source). */
export interface EmptyCrdStatus {
  acceptedNames: { kind: ''; plural: '' };
  conditions: [] | null;
  storedVersions: [] | null;
}

/** An `apiextensions.k8s.io/v1` CustomResourceDefinition exactly as it is written to the manifest. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: {
    name: string;
    annotations: Record<string, string>;
    labels: Record<string, string>;
    creationTimestamp?: null;
  };
  spec: CrdSpec;
  status?: EmptyCrdStatus;
}

/** What `renderCrds` needs to stamp ownership metadata onto every CRD (§2.4). */
export interface CrdMetadataOptions {
  controlPlaneNamespace: string;
  /** `linkerd.io/created-by` value, e.g. `linkerd/cli edge-26.11.1`. */
  createdBy: string;
  /** Chart version for the `helm.sh/chart` label, e.g. `2026.11.1`. */
  chartVersion: string;
}
