import { toYaml } from '../yaml/emit.js';
import type { Values } from '../values/types.js';
import type { KubeObject, RenderContext } from './context.js';
import { createdBy, labels } from './meta.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Stored in linkerd-config; the CRD chart version the control plane was rendered against. */
export const CRDS_CHART_VERSION_MARKER = 'linkerd-crds-1.0.0-edge';

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * The values as published in linkerd-config (readable by every config reader): private keys and
 * template-internal keys removed, empty trust domain filled in, keys sorted.
 */
export function publicValues(values: Values): Record<string, unknown> {
  const copy = structuredClone(values) as Record<string, unknown> & Values;
  delete (copy.identity.issuer.tls as Record<string, unknown>).keyPEM;
  for (const key of ['proxyInjector', 'profileValidator', 'policyValidator'] as const) {
    delete (copy[key] as Record<string, unknown>).keyPEM;
  }
  for (const key of ['partials', 'configs', 'stage']) delete copy[key];
  if (!copy.identityTrustDomain) copy.identityTrustDomain = copy.clusterDomain;
  return sortKeys(copy) as Record<string, unknown>;
}

export function linkerdConfigMap(values: Values, ctx: RenderContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'linkerd-config',
      namespace: ctx.namespace,
      labels: labels(values, ctx, 'controller'),
      annotations: createdBy(ctx),
    },
    data: {
      'linkerd-crds-chart-version': CRDS_CHART_VERSION_MARKER,
      values: toYaml(publicValues(values)),
    },
  };
}

/** Secret `linkerd-identity-issuer` (only for the `linkerd.io/tls` scheme; Opaque, no `type` field). */
export function identityIssuerSecret(values: Values, ctx: RenderContext): KubeObject[] {
  const issuer = values.identity.issuer;
  if (issuer.scheme !== 'linkerd.io/tls') return [];
  if (!issuer.tls.crtPEM?.trim()) throw new Error('Please provide the identity issuer certificate');
  if (!issuer.tls.keyPEM?.trim()) throw new Error('Please provide the identity issue private key');
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'linkerd-identity-issuer',
        namespace: ctx.namespace,
        labels: labels(values, ctx, 'identity'),
        annotations: createdBy(ctx),
      },
      data: { 'crt.pem': b64(issuer.tls.crtPEM.trim()), 'key.pem': b64(issuer.tls.keyPEM.trim()) },
    },
  ];
}

export function trustRootsConfigMap(values: Values, ctx: RenderContext): KubeObject[] {
  if (values.identity.externalCA) return [];
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'linkerd-identity-trust-roots',
        namespace: ctx.namespace,
        labels: labels(values, ctx, 'identity'),
        annotations: createdBy(ctx),
      },
      data: { 'ca-bundle.crt': values.identityTrustAnchorsPEM.trim() },
    },
  ];
}

/** Secret `linkerd-config-overrides`: the non-default values (a tree diff), keys sorted as Go marshals it. */
export function overridesSecret(overrides: Record<string, unknown>, ctx: RenderContext): KubeObject {
  return {
    apiVersion: 'v1',
    data: { 'linkerd-config-overrides': b64(toYaml(sortKeys(overrides))) },
    kind: 'Secret',
    metadata: {
      labels: { 'linkerd.io/control-plane-ns': ctx.namespace },
      name: 'linkerd-config-overrides',
      namespace: ctx.namespace,
    },
  };
}
