import { create, type MessageInitShape } from '@bufbuild/protobuf';
import {
  DestinationProfileSchema,
  RequestMatchSchema,
  ResponseMatchSchema,
  RetryBudgetSchema,
  RouteSchema,
  type DestinationProfile,
  type RequestMatch,
  type ResponseMatch,
  type RetryBudget,
  type Route,
  type WeightedDst,
  WeightedDstSchema,
} from '../../proto/gen/destination_pb.js';
import { HttpMethodSchema, type HttpMethod } from '../../proto/gen/http_types_pb.js';
import { httpMethodType } from '../shared/http-method.js';
import { DurationSchema } from '@bufbuild/protobuf/wkt';
import { MetadataSchema, type Metadata } from '../../proto/gen/meta_pb.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { toProtoDuration } from '../shared/proto-duration.js';
import type { RequestMatchSpec, ResponseMatchSpec, ServiceProfile, ServiceProfileSpec } from './k8s-types.js';
import { quantityMilli } from './quantity.js';

export function defaultRetryBudget(): RetryBudget {
  return create(RetryBudgetSchema, { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: toProtoDuration(10_000) });
}

export function resourceRef(r: {
  group: string;
  kind: string;
  name: string;
  namespace: string;
  port?: number;
}): Metadata {
  return create(MetadataSchema, { kind: { case: 'resource', value: { ...r, port: r.port ?? 0 } } });
}

export interface ServiceProfileContext {
  fqn: string;
  service: { name: string; namespace: string };
  port: number;
  opaque: boolean;
  /** Undefined for the default profile. */
  profile?: ServiceProfile;
  warn?: (msg: string) => void;
}

/** DestinationProfile for a Service (controllers.md §2.8 step 4). Throws when the profile is invalid. */
export function serviceProfileToProto(ctx: ServiceProfileContext): DestinationProfile {
  const spec: ServiceProfileSpec = ctx.profile?.spec ?? {};
  const warn = ctx.warn ?? (() => undefined);
  return create(DestinationProfileSchema, {
    fullyQualifiedName: ctx.fqn,
    opaqueProtocol: ctx.opaque,
    routes: (spec.routes ?? []).map((r) => {
      const route: Route = create(RouteSchema, {
        condition: requestMatch(r.condition, `route ${r.name}`),
        responseClasses: (r.responseClasses ?? []).map((rc) => ({
          condition: responseMatch(rc.condition, `route ${r.name}`),
          isFailure: rc.isFailure ?? false,
        })),
        metricsLabels: { route: r.name },
        isRetryable: r.isRetryable ?? false,
      });
      if (r.timeout !== undefined && r.timeout !== '') {
        try {
          route.timeout = create(DurationSchema, toProtoDuration(parseGoDuration(r.timeout)));
        } catch (err) {
          warn(`failed to parse duration for route '${r.name}': ${(err as Error).message}`);
        }
      }
      return route;
    }),
    retryBudget: spec.retryBudget === undefined ? defaultRetryBudget() : retryBudget(spec.retryBudget),
    dstOverrides: (spec.dstOverrides ?? []).map((d) => dstOverride(d, ctx.port)),
    parentRef: resourceRef({ group: 'core', kind: 'Service', ...ctx.service, port: ctx.port }),
    profileRef: resourceRef({
      group: ctx.profile === undefined ? '' : 'linkerd.io',
      kind: ctx.profile === undefined ? '' : 'ServiceProfile',
      name: ctx.profile?.metadata.name ?? '',
      namespace: ctx.profile?.metadata.namespace ?? '',
    }),
  });
}

function retryBudget(b: NonNullable<ServiceProfileSpec['retryBudget']>): RetryBudget {
  return create(RetryBudgetSchema, {
    retryRatio: b.retryRatio,
    minRetriesPerSecond: b.minRetriesPerSecond,
    ttl: toProtoDuration(parseGoDuration(b.ttl)),
  });
}

function dstOverride(d: { authority: string; weight: string | number }, port: number): WeightedDst {
  const hasPort = /:\d+$/.test(d.authority);
  return create(WeightedDstSchema, {
    authority: hasPort ? d.authority : `${d.authority}:${port}`,
    weight: quantityMilli(d.weight) * 10,
  });
}

export function httpMethod(method: string): HttpMethod {
  // ServiceProfile methods match case-insensitively; an unregistered one keeps its spelling.
  return create(HttpMethodSchema, { type: httpMethodType(method.toUpperCase(), method) });
}

/** A match with several fields set is an implicit `all`; one with none is an error. */
export function requestMatch(spec: RequestMatchSpec | undefined, where: string): RequestMatch {
  const make = (match: MessageInitShape<typeof RequestMatchSchema>['match']) => create(RequestMatchSchema, { match });
  const parts: RequestMatch[] = [];
  if (spec?.all !== undefined)
    parts.push(make({ case: 'all', value: { matches: spec.all.map((m) => requestMatch(m, where)) } }));
  if (spec?.any !== undefined)
    parts.push(make({ case: 'any', value: { matches: spec.any.map((m) => requestMatch(m, where)) } }));
  if (spec?.not !== undefined) parts.push(make({ case: 'not', value: requestMatch(spec.not, where) }));
  if (spec?.pathRegex !== undefined) parts.push(make({ case: 'path', value: { regex: spec.pathRegex } }));
  if (spec?.method !== undefined) parts.push(make({ case: 'method', value: httpMethod(spec.method) }));
  if (parts.length === 0) throw new Error(`${where}: A request match must have a field set`);
  return parts.length === 1 ? (parts[0] as RequestMatch) : make({ case: 'all', value: { matches: parts } });
}

export function responseMatch(spec: ResponseMatchSpec | undefined, where: string): ResponseMatch {
  const make = (match: MessageInitShape<typeof ResponseMatchSchema>['match']) => create(ResponseMatchSchema, { match });
  const parts: ResponseMatch[] = [];
  if (spec?.all !== undefined)
    parts.push(make({ case: 'all', value: { matches: spec.all.map((m) => responseMatch(m, where)) } }));
  if (spec?.any !== undefined)
    parts.push(make({ case: 'any', value: { matches: spec.any.map((m) => responseMatch(m, where)) } }));
  if (spec?.not !== undefined) parts.push(make({ case: 'not', value: responseMatch(spec.not, where) }));
  if (spec?.status !== undefined) {
    const min = spec.status.min ?? 100;
    const max = spec.status.max ?? 599;
    if (min > max || min < 100 || max > 599) throw new Error(`${where}: range minimum must be less than maximum`);
    parts.push(make({ case: 'status', value: { min, max } }));
  }
  if (parts.length === 0) throw new Error(`${where}: A response match must have a field set`);
  return parts.length === 1 ? (parts[0] as ResponseMatch) : make({ case: 'all', value: { matches: parts } });
}
