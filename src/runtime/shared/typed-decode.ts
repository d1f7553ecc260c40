// Decoding JSON against a declared shape with Go encoding/json's rules and messages: `null` leaves
// a field unset, a wrong JSON type is `cannot unmarshal <json> into Go struct field …`, and in
// strict mode (DisallowUnknownFields) an unknown key is `unknown field "<key>"`. The first error
// in document order wins, as Go's decoder reports the first one it saved.

export type Shape =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'uint'; bits: 8 | 16 | 32 | 64 }
  | { kind: 'int'; bits: 32 | 64 }
  | { kind: 'float'; bits: 32 | 64 }
  /** resource.Quantity: a string or a number. */
  | { kind: 'quantity' }
  | { kind: 'any' }
  | { kind: 'slice'; goType: string; items: Shape }
  | { kind: 'map'; goType: string; values: Shape }
  | { kind: 'struct'; goType: string; fields: () => Readonly<Record<string, Shape>>; open?: boolean };

export const S = {
  string: { kind: 'string' } as Shape,
  bool: { kind: 'bool' } as Shape,
  uint32: { kind: 'uint', bits: 32 } as Shape,
  int32: { kind: 'int', bits: 32 } as Shape,
  int64: { kind: 'int', bits: 64 } as Shape,
  float32: { kind: 'float', bits: 32 } as Shape,
  quantity: { kind: 'quantity' } as Shape,
  any: { kind: 'any' } as Shape,
};

export class DecodeError extends Error {
  override name = 'DecodeError';
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

function goTypeOf(shape: Shape): string {
  switch (shape.kind) {
    case 'string':
    case 'bool':
      return shape.kind;
    case 'uint':
      return `uint${shape.bits}`;
    case 'int':
      return `int${shape.bits}`;
    case 'float':
      return `float${shape.bits}`;
    case 'quantity':
      return 'resource.Quantity';
    case 'any':
      return 'interface {}';
    default:
      return shape.goType;
  }
}

interface Context {
  strict: boolean;
  /** The innermost struct being decoded and the JSON path from the root, as Go reports them. */
  struct: string;
  path: string[];
}

function mismatch(ctx: Context, value: string, shape: Shape): DecodeError {
  const where = ctx.path.length === 0 ? 'Go value' : `Go struct field ${ctx.struct}.${ctx.path.join('.')}`;
  return new DecodeError(`json: cannot unmarshal ${value} into ${where} of type ${goTypeOf(shape)}`);
}

function check(value: unknown, shape: Shape, ctx: Context): void {
  if (value === null || shape.kind === 'any') return;
  switch (shape.kind) {
    case 'string':
      if (typeof value !== 'string') throw mismatch(ctx, jsonKind(value), shape);
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw mismatch(ctx, jsonKind(value), shape);
      return;
    case 'uint':
    case 'int': {
      if (typeof value !== 'number') throw mismatch(ctx, jsonKind(value), shape);
      const bits = shape.bits === 64 ? 53 : shape.bits;
      const lo = shape.kind === 'uint' ? 0 : -(2 ** (bits - 1));
      const hi = shape.kind === 'uint' ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
      if (!Number.isInteger(value) || value < lo || value > hi) throw mismatch(ctx, `number ${value}`, shape);
      return;
    }
    case 'float':
      if (typeof value !== 'number') throw mismatch(ctx, jsonKind(value), shape);
      return;
    case 'quantity':
      if (typeof value !== 'string' && typeof value !== 'number') throw mismatch(ctx, jsonKind(value), shape);
      return;
    case 'slice':
      if (!Array.isArray(value)) throw mismatch(ctx, jsonKind(value), shape);
      for (const item of value) check(item, shape.items, ctx);
      return;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) throw mismatch(ctx, jsonKind(value), shape);
      for (const item of Object.values(value)) check(item, shape.values, ctx);
      return;
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) throw mismatch(ctx, jsonKind(value), shape);
      const fields = shape.fields();
      for (const [key, item] of Object.entries(value)) {
        const field = fields[key];
        if (field === undefined) {
          if (ctx.strict && shape.open !== true) throw new DecodeError(`json: unknown field "${key}"`);
          continue;
        }
        check(item, field, { ...ctx, struct: shape.goType.replace(/^.*\./, ''), path: [...ctx.path, key] });
      }
      return;
    }
  }
}

/** Throws a DecodeError with Go's message when `value` does not decode into `shape`. */
export function decodeAs(value: unknown, shape: Shape, opts: { strict: boolean }): void {
  check(value, shape, { strict: opts.strict, struct: '', path: [] });
}

/** metav1.ObjectMeta: the API server has already validated it, so only its top-level keys are checked. */
export const OBJECT_META: Shape = {
  kind: 'struct',
  goType: 'v1.ObjectMeta',
  fields: () =>
    Object.fromEntries(
      [
        'name',
        'generateName',
        'namespace',
        'selfLink',
        'uid',
        'resourceVersion',
        'generation',
        'creationTimestamp',
        'deletionTimestamp',
        'deletionGracePeriodSeconds',
        'labels',
        'annotations',
        'ownerReferences',
        'finalizers',
        'managedFields',
      ].map((k) => [k, S.any]),
    ),
};
