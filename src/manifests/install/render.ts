import type { Values } from '../values/types.js';
import type { KubeObject, RenderContext, RenderedManifest } from './context.js';
import { identityIssuerSecret, linkerdConfigMap, trustRootsConfigMap } from './config.js';
import { destinationPod, identityPod, proxyInjectorPod } from './controllers.js';
import { checksumOf, controlPlaneDeployment, podDisruptionBudget } from './deployments.js';
import { heartbeatCronJob } from './heartbeat.js';
import { labels } from './meta.js';
import { configRbac, destinationRbac, heartbeatRbac, identityRbac, policyRbac, proxyInjectorRbac } from './rbac.js';
import { destinationServices, identityServices, proxyInjectorService } from './services.js';
import {
  policyValidatorWebhookConfig,
  proxyInjectorWebhookConfig,
  spValidatorWebhookConfig,
  validateWebhookValues,
  webhookSecret,
} from './webhooks.js';

/** One chart template's output: its objects, with Linkerd's `### <Title>` banner before the first. */
interface Section {
  title?: string;
  objects: KubeObject[];
}

function namespaceObject(values: Values, ctx: RenderContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ctx.namespace,
      annotations: { 'linkerd.io/inject': 'disabled' },
      labels: {
        'linkerd.io/is-control-plane': 'true',
        'config.linkerd.io/admission-webhooks': 'disabled',
        ...labels(values, ctx),
        'pod-security.kubernetes.io/enforce': values.cniEnabled ? 'restricted' : 'privileged',
      },
    },
  };
}

const banner = (title: string): string => `###\n### ${title}\n###`;

/**
 * The control-plane manifest of `l5d install` (install.md §3.3), without the overrides Secret.
 * Pure: certificates and the render time come in through `ctx`.
 */
export function renderControlPlane(values: Values, ctx: RenderContext): RenderedManifest {
  validateWebhookValues(values);
  const ha = values.enablePodDisruptionBudget;
  const pdb = (name: string, component: string): KubeObject[] =>
    ha ? [podDisruptionBudget(name, component, values, ctx)] : [];

  const destinationRbacTemplate = [
    ...destinationRbac(values, ctx),
    ...webhookSecret('sp-validator', 'destination', values, ctx),
    spValidatorWebhookConfig(values, ctx),
    ...webhookSecret('policy-validator', 'destination', values, ctx),
    policyValidatorWebhookConfig(values, ctx),
    ...policyRbac(values, ctx),
  ];
  const injectorRbacTemplate = [
    ...proxyInjectorRbac(values, ctx),
    ...webhookSecret('proxy-injector', 'proxy-injector', values, ctx),
    proxyInjectorWebhookConfig(values, ctx),
  ];

  const sections: Section[] = [
    { title: 'Linkerd Namespace', objects: [namespaceObject(values, ctx)] },
    { title: 'Identity Controller Service RBAC', objects: identityRbac(values, ctx) },
    { title: 'Destination Controller Service', objects: destinationRbacTemplate },
    values.disableHeartBeat ? { objects: [] } : { title: 'Heartbeat RBAC', objects: heartbeatRbac(values, ctx) },
    { title: 'Proxy Injector RBAC', objects: injectorRbacTemplate },
    { objects: [linkerdConfigMap(values, ctx), ...configRbac(values, ctx)] },
    {
      title: 'Identity Controller Service',
      objects: [
        ...identityIssuerSecret(values, ctx),
        ...trustRootsConfigMap(values, ctx),
        ...identityServices(values, ctx),
        ...pdb('linkerd-identity', 'identity'),
        controlPlaneDeployment(
          { component: 'identity', appName: 'identity', pod: identityPod(values, ctx), narrowSelector: true },
          values,
          ctx,
        ),
      ],
    },
    {
      title: 'Destination Controller Service',
      objects: [
        ...destinationServices(values, ctx),
        ...pdb('linkerd-dst', 'destination'),
        controlPlaneDeployment(
          {
            component: 'destination',
            appName: 'destination',
            pod: destinationPod(values, ctx),
            narrowSelector: true,
            extraPodAnnotations: { 'checksum/config': checksumOf(destinationRbacTemplate) },
          },
          values,
          ctx,
        ),
      ],
    },
    values.disableHeartBeat ? { objects: [] } : { title: 'Heartbeat', objects: [heartbeatCronJob(values, ctx)] },
    {
      title: 'Proxy Injector',
      objects: [
        controlPlaneDeployment(
          {
            component: 'proxy-injector',
            appName: 'proxy-injector',
            pod: proxyInjectorPod(values, ctx),
            narrowSelector: false,
            extraPodAnnotations: {
              'checksum/config': checksumOf(injectorRbacTemplate),
              'config.linkerd.io/opaque-ports': '8443',
            },
          },
          values,
          ctx,
        ),
        proxyInjectorService(values, ctx),
        ...pdb('linkerd-proxy-injector', 'proxy-injector'),
      ],
    },
  ];

  const objects: KubeObject[] = [];
  const banners: (string | undefined)[] = [];
  for (const section of sections) {
    section.objects.forEach((o, i) => {
      objects.push(o);
      banners.push(i === 0 && section.title ? banner(section.title) : undefined);
    });
  }
  return { objects, banners };
}
