// Timeouts, retries and failure accrual from `timeout.linkerd.io/*`, `retry.linkerd.io/*` and
// `balancer.linkerd.io/failure-accrual*` annotations, as the outbound index reads them.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type {
  GrpcRoute_RetrySchema,
  FailureAccrualSchema,
  HttpRoute_RetrySchema,
} from '../../proto/gen/outbound_pb.js';
import type { TimeoutsSchema } from '../../proto/gen/http_route_pb.js';
import { DurationError, parseProxyDuration } from '../shared/data-plane-duration.js';
import { toProtoDuration } from '../shared/proto-duration.js';

type Annotations = Readonly<Record<string, string>>;
export type TimeoutsInit = MessageInitShape<typeof TimeoutsSchema>;
export type HttpRetryInit = MessageInitShape<typeof HttpRoute_RetrySchema>;
export type GrpcRetryInit = MessageInitShape<typeof GrpcRoute_RetrySchema>;

export class AnnotationError extends Error {
  override name = 'AnnotationError';
}

function duration(annotations: Annotations, key: string): number | undefined {
  const value = annotations[key];
  if (value === undefined) return undefined;
  try {
    return parseProxyDuration(value);
  } catch (err) {
    if (err instanceof DurationError) throw new AnnotationError(`invalid ${key} annotation: ${err.message}`);
    throw err;
  }
}

/** `timeout.linkerd.io/{request,response,idle}`; undefined when none is set. */
export function annotationTimeouts(annotations: Annotations): TimeoutsInit | undefined {
  const out: TimeoutsInit = {};
  for (const kind of ['request', 'response', 'idle'] as const) {
    const ms = duration(annotations, `timeout.linkerd.io/${kind}`);
    if (ms !== undefined) out[kind] = toProtoDuration(ms);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** `5xx`, `gateway-error`, `NNN`, `NNN-MMM` (100–599), comma-separated. */
export function parseStatusRanges(value: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (const raw of value.split(',')) {
    const item = raw.trim().toLowerCase();
    if (item === '') continue;
    if (item === '5xx') out.push({ start: 500, end: 599 });
    else if (item === 'gateway-error') out.push({ start: 502, end: 504 });
    else {
      const m = /^(\d{3})(?:-(\d{3}))?$/.exec(item);
      const start = Number(m?.[1]);
      const end = m?.[2] === undefined ? start : Number(m[2]);
      if (m === null || start < 100 || end > 599 || end < start) {
        throw new AnnotationError(`invalid retry.linkerd.io/http status range: ${raw.trim()}`);
      }
      out.push({ start, end });
    }
  }
  return out;
}

const GRPC_CODES = ['cancelled', 'deadline-exceeded', 'resource-exhausted', 'internal', 'unavailable'] as const;

const RETRY_BACKOFF = { minBackoff: toProtoDuration(25), maxBackoff: toProtoDuration(250), jitterRatio: 1 };
const MAX_RETRY_BODY = 64 * 1024;

function retryCommon(annotations: Annotations) {
  const limitText = annotations['retry.linkerd.io/limit'];
  if (limitText !== undefined && !/^\d+$/.test(limitText.trim())) {
    throw new AnnotationError(`invalid retry.linkerd.io/limit annotation: ${limitText}`);
  }
  const timeout = duration(annotations, 'retry.linkerd.io/timeout');
  return {
    maxRetries: limitText === undefined ? 1 : Number(limitText),
    maxRequestBytes: MAX_RETRY_BODY,
    ...(timeout === undefined ? {} : { timeout: toProtoDuration(timeout) }),
    backoff: RETRY_BACKOFF,
  };
}

const hasRetry = (annotations: Annotations, kind: 'http' | 'grpc') =>
  [`retry.linkerd.io/${kind}`, 'retry.linkerd.io/limit', 'retry.linkerd.io/timeout'].some(
    (k) => annotations[k] !== undefined,
  );

export function annotationHttpRetry(annotations: Annotations): HttpRetryInit | undefined {
  if (!hasRetry(annotations, 'http')) return undefined;
  const statuses = annotations['retry.linkerd.io/http'];
  return {
    ...retryCommon(annotations),
    conditions: { statusRanges: statuses === undefined ? [{ start: 500, end: 599 }] : parseStatusRanges(statuses) },
  };
}

export function annotationGrpcRetry(annotations: Annotations): GrpcRetryInit | undefined {
  if (!hasRetry(annotations, 'grpc')) return undefined;
  const codes = (annotations['retry.linkerd.io/grpc'] ?? 'cancelled,deadline-exceeded,resource-exhausted,unavailable')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  for (const c of codes) {
    if (!(GRPC_CODES as readonly string[]).includes(c)) {
      throw new AnnotationError(`invalid retry.linkerd.io/grpc code: ${c}`);
    }
  }
  return {
    ...retryCommon(annotations),
    conditions: {
      cancelled: codes.includes('cancelled'),
      deadineExceeded: codes.includes('deadline-exceeded'),
      resourceExhausted: codes.includes('resource-exhausted'),
      internal: codes.includes('internal'),
      unavailable: codes.includes('unavailable'),
    },
  };
}

/** `balancer.linkerd.io/failure-accrual: consecutive` and its tuning annotations. */
export function annotationFailureAccrual(
  annotations: Annotations,
): MessageInitShape<typeof FailureAccrualSchema> | undefined {
  const mode = annotations['balancer.linkerd.io/failure-accrual'];
  if (mode !== 'consecutive') return undefined;
  const prefix = 'balancer.linkerd.io/failure-accrual-consecutive-';
  const maxText = annotations[`${prefix}max-failures`];
  const maxFailures = maxText !== undefined && /^\d+$/.test(maxText) ? Number(maxText) : 7;
  const jitterText = annotations[`${prefix}jitter-ratio`];
  const jitter = jitterText === undefined ? NaN : Number(jitterText);
  return {
    kind: {
      case: 'consecutiveFailures',
      value: {
        maxFailures,
        backoff: {
          minBackoff: toProtoDuration(duration(annotations, `${prefix}min-penalty`) ?? 1000),
          maxBackoff: toProtoDuration(duration(annotations, `${prefix}max-penalty`) ?? 60_000),
          jitterRatio: jitter >= 0 && jitter <= 100 ? jitter : 0.5,
        },
      },
    },
  };
}
