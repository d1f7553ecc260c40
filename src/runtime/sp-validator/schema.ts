// The Go types a ServiceProfile is strictly decoded into (linkerd2 serviceprofile/v1alpha2).
import { OBJECT_META, S, type Shape } from '../shared/typed-decode.js';

const struct = (goType: string, fields: () => Record<string, Shape>): Shape => ({
  kind: 'struct',
  goType: `v1alpha2.${goType}`,
  fields,
});
const sliceOf = (goType: string, items: Shape): Shape => ({ kind: 'slice', goType: `[]*v1alpha2.${goType}`, items });

const range = struct('Range', () => ({ min: S.uint32, max: S.uint32 }));
const responseMatch: Shape = struct('ResponseMatch', () => ({
  all: sliceOf('ResponseMatch', responseMatch),
  not: responseMatch,
  any: sliceOf('ResponseMatch', responseMatch),
  status: range,
}));
const requestMatch: Shape = struct('RequestMatch', () => ({
  all: sliceOf('RequestMatch', requestMatch),
  not: requestMatch,
  any: sliceOf('RequestMatch', requestMatch),
  pathRegex: S.string,
  method: S.string,
}));
const responseClass = struct('ResponseClass', () => ({ condition: responseMatch, isFailure: S.bool }));
const routeSpec = struct('RouteSpec', () => ({
  name: S.string,
  condition: requestMatch,
  responseClasses: sliceOf('ResponseClass', responseClass),
  isRetryable: S.bool,
  timeout: S.string,
}));
const retryBudget = struct('RetryBudget', () => ({
  retryRatio: S.float32,
  minRetriesPerSecond: S.uint32,
  ttl: S.string,
}));
const weightedDst = struct('WeightedDst', () => ({ authority: S.string, weight: S.quantity }));
const spec = struct('ServiceProfileSpec', () => ({
  routes: sliceOf('RouteSpec', routeSpec),
  retryBudget,
  dstOverrides: sliceOf('WeightedDst', weightedDst),
  opaquePorts: { kind: 'map', goType: 'map[uint32]bool', values: S.bool },
}));

export const SERVICE_PROFILE_SHAPE: Shape = struct('ServiceProfile', () => ({
  apiVersion: S.string,
  kind: S.string,
  metadata: OBJECT_META,
  spec,
}));
