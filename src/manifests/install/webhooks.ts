import type { Values, WebhookValues } from '../values/types.js';
import type { WebhookService } from '../certs/webhook-cert.js';
import type { KubeObject, RenderContext } from './context.js';
import { createdBy, labels } from './meta.js';
import { isSetValue } from '../values/present.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Value key of each webhook component (install.md §5). */
export const WEBHOOK_VALUE_KEYS: Record<WebhookService, 'proxyInjector' | 'profileValidator' | 'policyValidator'> = {
  'proxy-injector': 'proxyInjector',
  'sp-validator': 'profileValidator',
  'policy-validator': 'policyValidator',
};

/** Whether the chart generates a serving certificate for `service` (no external secret, no supplied PEMs). */
export function needsGeneratedWebhookCert(service: WebhookService, values: Values): boolean {
  const v = values[WEBHOOK_VALUE_KEYS[service]];
  return !v.externalSecret && !(v.crtPEM?.trim() && v.keyPEM?.trim());
}

/** The chart's `fail`s on inconsistent webhook CA settings, in template order. */
export function validateWebhookValues(values: Values): void {
  for (const key of Object.values(WEBHOOK_VALUE_KEYS)) {
    const v = values[key];
    const injects = Boolean(v.injectCaFrom || v.injectCaFromSecret);
    if (v.injectCaFrom && v.injectCaFromSecret)
      throw new Error('injectCaFrom and injectCaFromSecret cannot both be set');
    if (injects && v.caBundle?.trim()) {
      throw new Error('injectCaFrom or injectCaFromSecret cannot be set if providing a caBundle');
    }
    if (v.externalSecret && !v.caBundle?.trim() && !injects) {
      throw new Error('if externalSecret is set, then caBundle, injectCaFrom, or injectCaFromSecret must be set');
    }
    if (injects && !v.externalSecret)
      throw new Error('if injectCaFrom or injectCaFromSecret is set, then externalSecret must be set');
  }
}

interface ServingPem {
  crtPEM: string;
  keyPEM: string;
}

function servingPem(service: WebhookService, v: WebhookValues, ctx: RenderContext): ServingPem | undefined {
  if (v.externalSecret) return undefined;
  if (v.crtPEM?.trim() && v.keyPEM?.trim()) return { crtPEM: v.crtPEM, keyPEM: v.keyPEM };
  const generated = ctx.webhookCerts[service];
  if (!generated) throw new Error(`internal error: no serving certificate generated for linkerd-${service}`);
  return { crtPEM: generated.certPEM, keyPEM: generated.keyPEM };
}

/** The `kubernetes.io/tls` Secret of a webhook, unless `externalSecret`. */
export function webhookSecret(
  service: WebhookService,
  component: string,
  values: Values,
  ctx: RenderContext,
): KubeObject[] {
  const pem = servingPem(service, values[WEBHOOK_VALUE_KEYS[service]], ctx);
  if (!pem) return [];
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: `linkerd-${service}-k8s-tls`,
        namespace: ctx.namespace,
        labels: labels(values, ctx, component),
        annotations: createdBy(ctx),
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': b64(pem.crtPEM.trim()), 'tls.key': b64(pem.keyPEM.trim()) },
    },
  ];
}

function caInjection(v: WebhookValues): { annotations?: Record<string, string>; caBundle?: string } {
  if (v.injectCaFrom) return { annotations: { 'cert-manager.io/inject-ca-from': v.injectCaFrom } };
  if (v.injectCaFromSecret) return { annotations: { 'cert-manager.io/inject-ca-from-secret': v.injectCaFromSecret } };
  return {};
}

function clientConfig(service: WebhookService, values: Values, ctx: RenderContext): Record<string, unknown> {
  const v = values[WEBHOOK_VALUE_KEYS[service]];
  const { annotations } = caInjection(v);
  const ca = v.caBundle?.trim() ? v.caBundle : servingPem(service, v, ctx)?.crtPEM;
  return {
    service: { name: `linkerd-${service}`, namespace: ctx.namespace, path: '/' },
    ...(annotations || !ca ? {} : { caBundle: b64(ca.trim()) }),
  };
}

function webhookMeta(name: string, service: WebhookService, component: string, values: Values, ctx: RenderContext) {
  const { annotations } = caInjection(values[WEBHOOK_VALUE_KEYS[service]]);
  return { name, ...(annotations ? { annotations } : {}), labels: labels(values, ctx, component) };
}

export function proxyInjectorWebhookConfig(values: Values, ctx: RenderContext): KubeObject {
  const v = values.proxyInjector;
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: webhookMeta('linkerd-proxy-injector-webhook-config', 'proxy-injector', 'proxy-injector', values, ctx),
    webhooks: [
      {
        name: 'linkerd-proxy-injector.linkerd.io',
        namespaceSelector: v.namespaceSelector,
        ...(isSetValue(v.objectSelector) ? { objectSelector: v.objectSelector } : {}),
        clientConfig: clientConfig('proxy-injector', values, ctx),
        failurePolicy: values.webhookFailurePolicy,
        admissionReviewVersions: ['v1', 'v1beta1'],
        rules: [
          {
            operations: ['CREATE'],
            apiGroups: [''],
            apiVersions: ['v1'],
            resources: ['pods', 'services'],
            scope: 'Namespaced',
          },
        ],
        sideEffects: 'None',
        timeoutSeconds: v.timeoutSeconds,
      },
    ],
  };
}

/** A ValidatingWebhookConfiguration rule: creates and updates of `resources` in one API group. */
function createOrUpdate(apiGroup: string, apiVersions: string[], resources: string[]): Record<string, unknown> {
  return { operations: ['CREATE', 'UPDATE'], apiGroups: [apiGroup], apiVersions, resources };
}

/** The webhook configuration of one of the destination pod's validators. */
function validatorWebhookConfig(
  service: 'sp-validator' | 'policy-validator',
  rules: Array<Record<string, unknown>>,
  values: Values,
  ctx: RenderContext,
): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: webhookMeta(`linkerd-${service}-webhook-config`, service, 'destination', values, ctx),
    webhooks: [
      {
        name: `linkerd-${service}.linkerd.io`,
        namespaceSelector: values[WEBHOOK_VALUE_KEYS[service]].namespaceSelector,
        clientConfig: clientConfig(service, values, ctx),
        failurePolicy: values.webhookFailurePolicy,
        admissionReviewVersions: ['v1', 'v1beta1'],
        rules,
        sideEffects: 'None',
      },
    ],
  };
}

export function spValidatorWebhookConfig(values: Values, ctx: RenderContext): KubeObject {
  return validatorWebhookConfig(
    'sp-validator',
    [createOrUpdate('linkerd.io', ['v1alpha1', 'v1alpha2'], ['serviceprofiles'])],
    values,
    ctx,
  );
}

export function policyValidatorWebhookConfig(values: Values, ctx: RenderContext): KubeObject {
  return validatorWebhookConfig(
    'policy-validator',
    [
      createOrUpdate(
        'policy.linkerd.io',
        ['*'],
        [
          'authorizationpolicies',
          'httplocalratelimitpolicies',
          'httproutes',
          'networkauthentications',
          'meshtlsauthentications',
          'serverauthorizations',
          'servers',
          'egressnetworks',
        ],
      ),
      createOrUpdate('gateway.networking.k8s.io', ['*'], ['httproutes', 'grpcroutes', 'tlsroutes', 'tcproutes']),
    ],
    values,
    ctx,
  );
}
