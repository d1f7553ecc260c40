import type { JSONSchemaProps } from './types.js';

/** Small constructors for the OpenAPI v3 schema nodes the Linkerd CRDs are made of. */

export function string(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'string', ...extra };
}

export function boolean(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'boolean', ...extra };
}

export function int32(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'integer', format: 'int32', ...extra };
}

export function int64(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'integer', format: 'int64', ...extra };
}

export function intOrString(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { 'x-kubernetes-int-or-string': true, ...extra };
}

export function object(properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'object', ...extra, properties };
}

export function arrayOf(items: JSONSchemaProps, extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'array', ...extra, items };
}

/** An object whose content the API server keeps as-is (recursive match trees). */
export function opaqueObject(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...extra };
}

/** The root schema of a CRD version: `spec` (and `status`) under an object that requires `spec`. */
export function resourceRoot(
  description: string,
  properties: Record<string, JSONSchemaProps>,
  { specRequired = true } = {},
): JSONSchemaProps {
  // Declared as controller-gen declares them (upstream's generated CRDs carry these too).
  const standard: Record<string, JSONSchemaProps> = {
    apiVersion: string({ description: 'APIVersion defines the versioned schema of this representation of an object.' }),
    kind: string({ description: 'Kind is a string value representing the REST resource this object represents.' }),
    metadata: { type: 'object' },
  };
  return object({ ...standard, ...properties }, { description, ...(specRequired ? { required: ['spec'] } : {}) });
}

export const GROUP_PATTERN = '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const KIND_PATTERN = '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$';
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

export function groupName(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return string({ description: 'API group of the referent.', maxLength: 253, pattern: GROUP_PATTERN, ...extra });
}

export function kindName(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return string({ description: 'Kind of the referent.', minLength: 1, maxLength: 63, pattern: KIND_PATTERN, ...extra });
}

export function objectName(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return string({ description: 'Name of the referent.', minLength: 1, maxLength: 253, ...extra });
}

export function port(extra: JSONSchemaProps = {}): JSONSchemaProps {
  return int32({ minimum: 1, maximum: 65535, ...extra });
}

/** A reference to a resource in the same namespace: {group, kind, name}. */
export function localTargetRef(description: string): JSONSchemaProps {
  return object(
    { group: groupName(), kind: kindName(), name: objectName() },
    { description, required: ['kind', 'name'] },
  );
}

/** Kubernetes LabelSelector. */
export function labelSelector(description: string): JSONSchemaProps {
  return object(
    {
      matchLabels: {
        type: 'object',
        description: 'Labels that must all match (an AND of `key=value` terms).',
        additionalProperties: string(),
      },
      matchExpressions: arrayOf(
        object(
          {
            key: string({ description: 'Label key the expression applies to.' }),
            operator: string({
              description: 'Relation between the key and the values.',
              enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'],
            }),
            values: arrayOf(string(), { description: 'Values for In and NotIn; empty for Exists and DoesNotExist.' }),
          },
          { required: ['key', 'operator'] },
        ),
        { description: 'Label selector requirements, ANDed together.' },
      ),
    },
    { description },
  );
}

/**
 * Status conditions of the Linkerd CRDs. The `required: [status, type]` list sits on the array, not
 * on its items, exactly as upstream ships it; the API server therefore does not enforce it.
 */
export function linkerdConditions(extraItemProperties: Record<string, JSONSchemaProps> = {}): JSONSchemaProps {
  return arrayOf(
    object({
      lastTransitionTime: string({
        description: 'Last time the condition changed from one status to another.',
        format: 'date-time',
      }),
      message: string({ description: 'Human-readable details about the transition.', maxLength: 32768 }),
      reason: string({
        description: 'Machine-readable, CamelCase reason for the last transition.',
        minLength: 1,
        maxLength: 1024,
      }),
      status: string({ description: 'Status of the condition.', enum: ['True', 'False', 'Unknown'] }),
      type: string({ description: 'Type of the condition, in CamelCase.', maxLength: 316 }),
      ...extraItemProperties,
    }),
    { description: 'Current state of the resource.', required: ['status', 'type'] },
  );
}

/** CIDR-based network list shared by NetworkAuthentication, EgressNetwork and ServerAuthorization. */
export function networks(description: string, extra: JSONSchemaProps = {}): JSONSchemaProps {
  return arrayOf(
    object(
      {
        cidr: string({ description: 'A network in CIDR notation (IPv4 or IPv6).' }),
        except: arrayOf(string(), { description: 'Networks within `cidr` that are excluded.' }),
      },
      { required: ['cidr'] },
    ),
    { description, ...extra },
  );
}
