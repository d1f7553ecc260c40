import { isDeepStrictEqual } from 'node:util';
import type { JSONSchemaProps } from './types.js';

/**
 * Offline checks of CRD schemas, used by the tests and available to `check`-style tooling:
 * `structuralErrors` applies the API server's "structural schema" rules (apiextensions v1), and
 * `validateValue` is a small OpenAPI v3 validator for the keywords the CRDs use (defaults, sample objects).
 */

const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;
// Keywords a v1 CRD schema may not use at all.
const FORBIDDEN = ['$ref', 'ref', 'definitions', 'dependencies', 'additionalItems', 'patternProperties', 'id'];
// Keywords a node inside allOf/anyOf/oneOf/not may not set.
const FORBIDDEN_IN_JUNCTOR = ['type', 'description', 'default', 'additionalProperties', 'nullable', 'title'];

type Raw = Record<string, unknown>;

function asRaw(schema: JSONSchemaProps): Raw {
  return schema as Raw;
}

/** Every violation of the structural-schema rules, each prefixed with its JSON path. */
export function structuralErrors(root: JSONSchemaProps): string[] {
  const errors: string[] = [];
  if (root.type !== 'object') errors.push('.: the root must have type object');
  checkNode(root, '', errors);
  return errors;
}

function checkNode(node: JSONSchemaProps, path: string, errors: string[]): void {
  const at = path || '.';
  const raw = asRaw(node);
  for (const key of FORBIDDEN) if (key in raw) errors.push(`${at}: ${key} is not allowed`);
  if (node.uniqueItems === true) errors.push(`${at}: uniqueItems must not be true`);
  if (node.additionalProperties === false) errors.push(`${at}: additionalProperties must not be false`);
  if (node.properties && node.additionalProperties !== undefined) {
    errors.push(`${at}: properties and additionalProperties are mutually exclusive`);
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === false) {
    errors.push(`${at}: x-kubernetes-preserve-unknown-fields must be true or unset`);
  }
  if (node['x-kubernetes-embedded-resource'] && node.type !== 'object') {
    errors.push(`${at}: x-kubernetes-embedded-resource needs type object`);
  }
  if (node.type === 'array' && node.items === undefined) errors.push(`${at}: an array must specify items`);
  if (node['x-kubernetes-int-or-string']) checkIntOrString(node, at, errors);
  else for (const junctor of JUNCTORS) if (node[junctor]) checkJunctorList(node, junctor, at, errors);
  if (node.not) checkJunctor(node, node.not, `${path}.not`, errors);

  const children: [string, JSONSchemaProps][] = [
    ...Object.entries(node.properties ?? {}).map(([k, v]): [string, JSONSchemaProps] => [`${path}.${k}`, v]),
    ...(node.items ? [[`${path}[]`, node.items] as [string, JSONSchemaProps]] : []),
    ...(typeof node.additionalProperties === 'object'
      ? [[`${path}{}`, node.additionalProperties] as [string, JSONSchemaProps]]
      : []),
  ];
  for (const [childPath, child] of children) {
    const untyped = child['x-kubernetes-int-or-string'] || child['x-kubernetes-preserve-unknown-fields'];
    if (!child.type && !untyped) errors.push(`${childPath}: type must be set`);
    checkNode(child, childPath, errors);
  }
}

// int-or-string nodes have no type; the only junctor allowed is anyOf/allOf of [integer, string].
function checkIntOrString(node: JSONSchemaProps, at: string, errors: string[]): void {
  if (node.type) errors.push(`${at}: x-kubernetes-int-or-string must not have a type`);
  for (const junctor of ['allOf', 'anyOf'] as const) {
    const list = node[junctor];
    if (!list) continue;
    if (!isDeepStrictEqual(list, [{ type: 'integer' }, { type: 'string' }]))
      errors.push(`${at}: x-kubernetes-int-or-string allows only ${junctor} [integer, string]`);
  }
  if (node.oneOf) checkJunctorList(node, 'oneOf', at, errors);
}

function checkJunctorList(node: JSONSchemaProps, junctor: (typeof JUNCTORS)[number], at: string, errors: string[]) {
  (node[junctor] ?? []).forEach((sub, i) =>
    checkJunctor(node, sub, `${at === '.' ? '' : at}.${junctor}[${i}]`, errors),
  );
}

/** A junctor branch may only restrict values of fields the surrounding node already specifies. */
function checkJunctor(owner: JSONSchemaProps, sub: JSONSchemaProps, path: string, errors: string[]): void {
  const raw = asRaw(sub);
  for (const key of FORBIDDEN_IN_JUNCTOR) if (key in raw) errors.push(`${path}: ${key} is not allowed in a junctor`);
  for (const key of Object.keys(raw)) {
    if (key.startsWith('x-kubernetes-')) errors.push(`${path}: ${key} is not allowed in a junctor`);
  }
  for (const field of Object.keys(sub.properties ?? {})) {
    if (!owner.properties?.[field]) errors.push(`${path}.${field}: not specified outside the junctor`);
    else checkJunctor(owner.properties[field], sub.properties?.[field] ?? {}, `${path}.${field}`, errors);
  }
  if (sub.items) {
    if (!owner.items) errors.push(`${path}[]: items not specified outside the junctor`);
    else checkJunctor(owner.items, sub.items, `${path}[]`, errors);
  }
  for (const junctor of JUNCTORS)
    sub[junctor]?.forEach((s, i) => checkJunctor(owner, s, `${path}.${junctor}[${i}]`, errors));
  if (sub.not) checkJunctor(owner, sub.not, `${path}.not`, errors);
}

/** Every schema node that declares a default, with its path. */
export function defaultsOf(root: JSONSchemaProps, path = ''): { path: string; schema: JSONSchemaProps }[] {
  const own = root.default === undefined ? [] : [{ path: path || '.', schema: root }];
  return [
    ...own,
    ...Object.entries(root.properties ?? {}).flatMap(([k, v]) => defaultsOf(v, `${path}.${k}`)),
    ...(root.items ? defaultsOf(root.items, `${path}[]`) : []),
    ...(typeof root.additionalProperties === 'object' ? defaultsOf(root.additionalProperties, `${path}{}`) : []),
  ];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;

/**
 * Validation errors of `value` against `schema`, as the API server would report them for the
 * keywords used here. Unknown object fields are not errors (the server prunes them).
 */
export function validateValue(schema: JSONSchemaProps, value: unknown, path = ''): string[] {
  const at = path || '.';
  if (value === null) return schema.nullable ? [] : [`${at}: must not be null`];
  const errors: string[] = [];
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value)) return [`${at}: must be an integer or a string`];
  } else if (schema.type && !hasType(value, schema.type)) {
    return [`${at}: must be of type ${schema.type}`];
  }
  if (schema.enum && !schema.enum.some((e) => isDeepStrictEqual(e, value))) {
    errors.push(`${at}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if (typeof value === 'string') errors.push(...stringErrors(schema, value, at));
  if (typeof value === 'number') errors.push(...numberErrors(schema, value, at));
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(`${at}: needs at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${at}: allows at most ${schema.maxItems} items`);
    if (schema.items) value.forEach((v, i) => errors.push(...validateValue(schema.items ?? {}, v, `${path}[${i}]`)));
  } else if (typeof value === 'object') {
    errors.push(...objectErrors(schema, value as Record<string, unknown>, path));
  }
  errors.push(...junctorErrors(schema, value, path));
  return errors;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

function stringErrors(schema: JSONSchemaProps, value: string, at: string): string[] {
  const errors: string[] = [];
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength)
    errors.push(`${at}: shorter than ${schema.minLength}`);
  if (schema.maxLength !== undefined && length > schema.maxLength)
    errors.push(`${at}: longer than ${schema.maxLength}`);
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
    errors.push(`${at}: does not match ${schema.pattern}`);
  }
  if (schema.format === 'date-time' && !RFC3339.test(value)) errors.push(`${at}: not an RFC 3339 date-time`);
  return errors;
}

function numberErrors(schema: JSONSchemaProps, value: number, at: string): string[] {
  const errors: string[] = [];
  if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
  if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  if (schema.format === 'int32' && (value < INT32[0] || value > INT32[1])) errors.push(`${at}: outside int32`);
  return errors;
}

function objectErrors(schema: JSONSchemaProps, value: Record<string, unknown>, path: string): string[] {
  const errors: string[] = [];
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) errors.push(`${path}.${name}: required`);
  }
  for (const [key, child] of Object.entries(value)) {
    const childSchema =
      schema.properties?.[key] ??
      (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
    if (childSchema) errors.push(...validateValue(childSchema, child, `${path}.${key}`));
  }
  return errors;
}

function junctorErrors(schema: JSONSchemaProps, value: unknown, path: string): string[] {
  const at = path || '.';
  const passes = (s: JSONSchemaProps) => validateValue(s, value, path).length === 0;
  const errors: string[] = [];
  if (schema.allOf) for (const s of schema.allOf) errors.push(...validateValue(s, value, path));
  if (schema.anyOf && !schema['x-kubernetes-int-or-string'] && !schema.anyOf.some(passes)) {
    errors.push(`${at}: matches none of anyOf`);
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter(passes).length;
    if (matching !== 1) errors.push(`${at}: must match exactly one of oneOf (matches ${matching})`);
  }
  if (schema.not && passes(schema.not)) errors.push(`${at}: must not match the "not" schema`);
  return errors;
}
