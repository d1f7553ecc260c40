/**
 * Whether a values entry counts as set the way the chart's `{{ if }}`/`{{ with }}` test it: null,
 * empty strings, empty lists and empty maps are unset, so `proxy.securityContext: {}` (what
 * upstream's install stores in linkerd-config) means "use the default", as in the chart.
 */
export function isSetValue<T>(value: T | null | undefined): value is T {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
