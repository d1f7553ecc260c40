import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { Http2ClientParamsSchema, type Http2ClientParams } from '../../proto/gen/destination_pb.js';

/**
 * `-meshed-http2-client-params`: Go's protojson of Http2ClientParams, written with snake_case
 * names and Durations as `{seconds, nanos}` objects (e.g. `{"keep_alive":{"interval":{"seconds":10}}}`).
 * Canonical protojson (`"10s"`) is accepted too.
 */
export function parseHttp2Params(json: string): Http2ClientParams | undefined {
  if (json.trim() === '') return undefined;
  const value = normaliseDurations(JSON.parse(json) as JsonValue);
  return fromJson(Http2ClientParamsSchema, value, { ignoreUnknownFields: false });
}

function normaliseDurations(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(normaliseDurations);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((k) => k === 'seconds' || k === 'nanos')) {
    const seconds = Number(value.seconds ?? 0);
    const nanos = Number(value.nanos ?? 0);
    return `${seconds + nanos / 1e9}s`;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseDurations(v)]));
}
