import type { Values } from '../values/types.js';
import type { RenderContext } from './context.js';

export const COMPONENT_LABEL = 'linkerd.io/control-plane-component';
export const CONTROL_PLANE_NS_LABEL = 'linkerd.io/control-plane-ns';
export const CREATED_BY_ANNOTATION = 'linkerd.io/created-by';

/** `commonLabels` is a chart key outside the typed model; only string entries are labels. */
export function commonLabels(values: Values): Record<string, string> {
  const raw = values.commonLabels;
  if (!raw || typeof raw !== 'object') return {};
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

/** Chart object labels: component (when the template sets one), control-plane namespace, `commonLabels`. */
export function labels(
  values: Values,
  ctx: RenderContext,
  component?: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...extra,
    ...(component ? { [COMPONENT_LABEL]: component } : {}),
    [CONTROL_PLANE_NS_LABEL]: ctx.namespace,
    ...commonLabels(values),
  };
}

export function createdBy(ctx: RenderContext): Record<string, string> {
  return { [CREATED_BY_ANNOTATION]: ctx.createdBy };
}

/** `<image>:<version or linkerdVersion>`. */
export function imageRef(name: string, version: string | undefined, values: Values): string {
  return `${name}:${version || values.linkerdVersion}`;
}

export function trustDomain(values: Values): string {
  return values.identityTrustDomain || values.clusterDomain;
}
