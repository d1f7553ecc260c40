// ServiceProfile validation as linkerd2's pkg/profiles Validate does it (controllers.md §5): a
// strict decode, the name, then each route, its conditions and the retry budget; first error wins.
import { DNS1123_MESSAGE, DNS1123_SUBDOMAIN } from '../../manifests/install/validate-values.js';
import { goDurationNanos } from '../../util/go-duration.js';
import { decodeAs, DecodeError } from '../shared/typed-decode.js';
import type { RequestMatchSpec, ResponseMatchSpec, RouteSpec, ServiceProfileSpec } from '../destination/k8s-types.js';
import { SERVICE_PROFILE_SHAPE } from './schema.js';

interface DecodedProfile {
  metadata?: { name?: string | null } | null;
  spec?: (Omit<ServiceProfileSpec, 'routes'> & { routes?: (RouteSpec | null)[] | null }) | null;
}

const MIN_STATUS = 100;
const MAX_STATUS = 599;

/** Go's time.ParseDuration error text, or undefined when `text` parses. */
function durationError(text: string): string | undefined {
  if (goDurationNanos(text) !== undefined) return undefined;
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) && text.trim() !== '0') {
    return `time: missing unit in duration "${text}"`;
  }
  const unit = /^[+-]?[\d.]+([^\d.]+)/.exec(text.trim());
  if (unit !== null && !/^(ns|us|µs|μs|ms|s|m|h)/.test(unit[1] ?? '')) {
    return `time: unknown unit "${unit[1]}" in duration "${text}"`;
  }
  return `time: invalid duration "${text}"`;
}

function dns1123SubdomainError(name: string): string | undefined {
  if (name.length > 253) return 'must be no more than 253 characters';
  return DNS1123_SUBDOMAIN.test(name) ? undefined : DNS1123_MESSAGE;
}

export function requestMatchError(m: RequestMatchSpec | null): string | undefined {
  if (m === null) return undefined;
  let set = false;
  for (const key of ['all', 'any'] as const) {
    const children = m[key] as (RequestMatchSpec | null)[] | undefined | null;
    if (children === undefined || children === null) continue;
    set = true;
    if (children.some((c) => c === null)) return `null condition "${key}"`;
    for (const child of children) {
      const err = requestMatchError(child);
      if (err !== undefined) return err;
    }
  }
  if (m.method) set = true;
  if (m.not !== undefined && m.not !== null) {
    set = true;
    const err = requestMatchError(m.not);
    if (err !== undefined) return err;
  }
  if (m.pathRegex) set = true;
  return set ? undefined : 'A request match must have a field set';
}

export function responseMatchError(m: ResponseMatchSpec | null): string | undefined {
  if (m === null) return undefined;
  let set = false;
  for (const key of ['all', 'any'] as const) {
    const children = m[key] as (ResponseMatchSpec | null)[] | undefined | null;
    if (children === undefined || children === null) continue;
    set = true;
    if (children.some((c) => c === null)) return `null condition "${key}"`;
    for (const child of children) {
      const err = responseMatchError(child);
      if (err !== undefined) return err;
    }
  }
  if (m.status !== undefined && m.status !== null) {
    const min = m.status.min ?? 0;
    const max = m.status.max ?? 0;
    const outside = (n: number) => n !== 0 && (n < MIN_STATUS || n > MAX_STATUS);
    if (outside(min)) return `Range minimum must be between ${MIN_STATUS} and ${MAX_STATUS}, inclusive`;
    if (outside(max)) return `Range maximum must be between ${MIN_STATUS} and ${MAX_STATUS}, inclusive`;
    if (max !== 0 && min !== 0 && max < min) return 'Range maximum cannot be smaller than minimum';
    set = true;
  }
  if (m.not !== undefined && m.not !== null) {
    set = true;
    const err = responseMatchError(m.not);
    if (err !== undefined) return err;
  }
  return set ? undefined : 'A response match must have a field set';
}

function routeError(route: RouteSpec | null): string | undefined {
  if (route === null) return 'has a null route';
  if (!route.name) return 'has a route with no name';
  if (route.timeout) {
    const err = durationError(route.timeout);
    if (err !== undefined) return `has a route with an invalid timeout: ${err}`;
  }
  if (route.condition === undefined || route.condition === null) return 'has a route with no condition';
  const cond = requestMatchError(route.condition);
  if (cond !== undefined) return `has a route with an invalid condition: ${cond}`;
  for (const rc of (route.responseClasses ?? []) as (RouteSpec['responseClasses'] & object)[number][]) {
    if (rc === null) return 'has a null response class';
    if (rc.condition === undefined || rc.condition === null) return 'has a response class with no condition';
    const err = responseMatchError(rc.condition);
    if (err !== undefined) return `has a response class with an invalid condition: ${err}`;
  }
  return undefined;
}

/** The reason a ServiceProfile object is refused, or undefined when it is valid. */
export function serviceProfileError(object: unknown): string | undefined {
  try {
    decodeAs(object, SERVICE_PROFILE_SHAPE, { strict: true });
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    return `failed to validate ServiceProfile: error unmarshaling JSON: while decoding JSON: ${err.message}`;
  }
  const profile = (object ?? {}) as DecodedProfile;
  const name = profile.metadata?.name ?? '';
  const quoted = JSON.stringify(name);
  const nameErr = dns1123SubdomainError(name);
  if (nameErr !== undefined) return `ServiceProfile ${quoted} has invalid name: ${nameErr}`;
  for (const route of profile.spec?.routes ?? []) {
    const err = routeError(route);
    if (err !== undefined) return `ServiceProfile ${quoted} ${err}`;
  }
  const rb = profile.spec?.retryBudget;
  if (rb !== undefined && rb !== null) {
    if ((rb.retryRatio ?? 0) < 0) {
      return `ServiceProfile ${quoted} RetryBudget RetryRatio must be non-negative: ${(rb.retryRatio ?? 0).toFixed(6)}`;
    }
    if (!rb.ttl) return `ServiceProfile ${quoted} RetryBudget missing TTL field`;
    const err = durationError(rb.ttl);
    if (err !== undefined) return `ServiceProfile ${quoted} RetryBudget: ${err}`;
  }
  return undefined;
}
