import { isPlainObject, type JsonObject } from './json.js';
import { podTemplatePath } from './kinds.js';

/**
 * The types of the fields inject and uninject read or write, as the Kubernetes API declares them.
 * Anything else in an object is the user's and passes through untouched.
 */
type Shape =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'int-or-string'
  | { fields: Readonly<Record<string, Shape>> }
  | { list: Shape }
  | { values: Shape };

const STRING_MAP: Shape = { values: 'string' };
const LIST_OF_OBJECTS: Shape = { list: { fields: {} } };

const OBJECT_META: Shape = {
  fields: { name: 'string', namespace: 'string', annotations: STRING_MAP, labels: STRING_MAP },
};

const PROBE: Shape = {
  fields: {
    httpGet: { fields: { port: 'int-or-string', path: 'string' } },
    tcpSocket: { fields: { port: 'int-or-string' } },
  },
};

const CONTAINER: Shape = {
  fields: {
    name: 'string',
    image: 'string',
    args: { list: 'string' },
    command: { list: 'string' },
    env: { list: { fields: { name: 'string', value: 'string' } } },
    ports: { list: { fields: { containerPort: 'integer', name: 'string', protocol: 'string' } } },
    volumeMounts: { list: { fields: { name: 'string', mountPath: 'string', readOnly: 'boolean' } } },
    readinessProbe: PROBE,
    livenessProbe: PROBE,
    startupProbe: PROBE,
    securityContext: {
      fields: { capabilities: { fields: { add: { list: 'string' }, drop: { list: 'string' } } } },
    },
  },
};

const POD_SPEC: Shape = {
  fields: {
    containers: { list: CONTAINER },
    initContainers: { list: CONTAINER },
    volumes: LIST_OF_OBJECTS,
    hostNetwork: 'boolean',
    automountServiceAccountToken: 'boolean',
    securityContext: { fields: {} },
  },
};

const POD: Shape = { fields: { metadata: OBJECT_META, spec: POD_SPEC } };

/** A field whose value has the wrong type; the caller adds the source and the object. */
export class ShapeError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`field ${field}: ${problem}`);
    this.name = 'ShapeError';
  }
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a map';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return String(value);
}

function expected(shape: Shape): string {
  if (shape === 'int-or-string') return 'an integer or a string';
  if (typeof shape === 'string') return shape === 'integer' ? 'an integer' : `a ${shape}`;
  if ('list' in shape) return 'a list';
  return 'a map';
}

function fits(shape: Shape, value: unknown): boolean {
  switch (shape) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'int-or-string':
      return typeof value === 'string' || Number.isInteger(value);
    default:
      return 'list' in shape ? Array.isArray(value) : isPlainObject(value);
  }
}

/** null stands for "absent", as the API server reads it; list entries must be present. */
function check(shape: Shape, value: unknown, field: string): void {
  if (value === null || value === undefined) return;
  if (!fits(shape, value)) throw new ShapeError(field, `expected ${expected(shape)}, got ${typeName(value)}`);
  if (typeof shape === 'string') return;
  if ('list' in shape) {
    (value as unknown[]).forEach((item, i) => {
      if (item === null || item === undefined) throw new ShapeError(`${field}[${i}]`, 'empty list entry');
      check(shape.list, item, `${field}[${i}]`);
    });
  } else if ('values' in shape) {
    for (const [k, v] of Object.entries(value as JsonObject)) check(shape.values, v, `${field}.${k}`);
  } else {
    for (const [k, sub] of Object.entries(shape.fields)) check(sub, (value as JsonObject)[k], `${field}.${k}`);
  }
}

/**
 * Checks the fields inject/uninject touch in one object (its metadata and, for workloads, every step
 * to the pod template and the pod itself), throwing ShapeError for the first wrongly typed one: so
 * `containers: web` is an error naming the field, never a JavaScript error or a replaced spec.
 */
export function checkObjectShape(obj: JsonObject): void {
  check(OBJECT_META, obj.metadata, 'metadata');
  const path = typeof obj.kind === 'string' ? podTemplatePath(obj.kind) : undefined;
  if (path === undefined) return;
  let node: unknown = obj;
  const at: string[] = [];
  for (const key of path) {
    const next = (node as JsonObject)[key];
    at.push(key);
    if (next === null || next === undefined) return;
    if (!isPlainObject(next)) throw new ShapeError(at.join('.'), `expected a map, got ${typeName(next)}`);
    node = next;
  }
  const prefix = at.length > 0 ? `${at.join('.')}.` : '';
  const pod = node as JsonObject;
  for (const [k, sub] of Object.entries((POD as { fields: Record<string, Shape> }).fields)) {
    check(sub, pod[k], `${prefix}${k}`);
  }
}
