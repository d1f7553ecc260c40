import type { Values } from '../values/types.js';
import { podInboundPorts } from './pod-ports.js';
import type { ControlPlaneComponent, SidecarInput } from './types.js';

/** Inbound ports of the control-plane pods, as the chart hard-codes them (install.md §3.10). */
const CONTROL_PLANE_INBOUND_PORTS: Record<ControlPlaneComponent, string> = {
  identity: '8080,9990',
  destination: '8086,8090,8443,9443,9990,9996,9997',
  'proxy-injector': '8443,9995',
};

const CONTROL_PLANE_PROXY_RESOURCES = {
  identity: 'identityProxyResources',
  destination: 'destinationProxyResources',
  'proxy-injector': 'proxyInjectorProxyResources',
} as const satisfies Record<ControlPlaneComponent, keyof Values>;

/** Everything the container builders need, resolved once from the input. */
export interface SidecarContext {
  values: Values;
  /** Control-plane namespace. */
  ns: string;
  clusterDomain: string;
  trustDomain: string;
  ipv6: boolean;
  component: ControlPlaneComponent | undefined;
  proxyImage: string;
  proxyVersion: string;
  proxyPullPolicy: string;
  native: boolean;
  inboundPorts: string;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
}

/** `<sa>.<sa-ns>.serviceaccount.identity.<cp-ns>.<trust-domain>` */
export function meshIdentity(ctx: SidecarContext, serviceAccount: string, serviceAccountNs: string): string {
  return `${serviceAccount}.${serviceAccountNs}.serviceaccount.identity.${ctx.ns}.${ctx.trustDomain}`;
}

/** The values a control-plane pod's proxy runs with: the chart's per-component overrides (install.md §3.10). */
function controlPlaneValues(values: Values, component: ControlPlaneComponent): Values {
  const resources = values[CONTROL_PLANE_PROXY_RESOURCES[component]];
  const proxy = {
    ...values.proxy,
    waitBeforeExitSeconds: 0,
    ...(resources && Object.keys(resources).length > 0 ? { resources } : {}),
    // The identity controller must run before any proxy can get a certificate, so its own proxy
    // cannot hold it back: a classic sidecar after the controller, no await.
    ...(component === 'identity' ? { await: false, nativeSidecar: false, requireTLSOnInboundPorts: '8080' } : {}),
  };
  return { ...values, proxy };
}

function firstAppContainerDerived(values: Values, input: SidecarInput): Values {
  const app = input.podSpec?.containers?.[0];
  if (!app) return values;
  const caps = app.securityContext?.capabilities;
  const saMount = app.volumeMounts?.find((m) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount');
  const capabilities = caps ? { add: caps.add, drop: caps.drop } : undefined;
  const mount = saMount ? { name: saMount.name, mountPath: saMount.mountPath, readOnly: saMount.readOnly } : undefined;
  return {
    ...values,
    proxy: { ...values.proxy, ...(capabilities ? { capabilities } : {}), ...(mount ? { saMountPath: mount } : {}) },
    proxyInit: {
      ...values.proxyInit,
      ...(capabilities ? { capabilities } : {}),
      ...(mount ? { saMountPath: mount } : {}),
    },
  };
}

export function resolveContext(input: SidecarInput): SidecarContext {
  const component = input.controlPlaneComponent;
  const values = component
    ? controlPlaneValues(input.values, component)
    : firstAppContainerDerived(input.values, input);
  const inboundPorts =
    input.inboundPorts ??
    (component ? CONTROL_PLANE_INBOUND_PORTS[component] : undefined) ??
    (input.podSpec ? podInboundPorts(input.podSpec) : (values.proxy.podInboundPorts ?? ''));
  return {
    values,
    ns: input.controlPlaneNamespace,
    clusterDomain: values.clusterDomain,
    trustDomain: values.identityTrustDomain || values.clusterDomain,
    ipv6: !values.disableIPv6,
    component,
    proxyImage: values.proxy.image.name,
    proxyVersion: values.proxy.image.version || values.linkerdVersion,
    proxyPullPolicy: values.proxy.image.pullPolicy || values.imagePullPolicy,
    native: values.proxy.nativeSidecar,
    inboundPorts,
    podLabels: input.podMetadata?.labels ?? {},
    podAnnotations: input.podMetadata?.annotations ?? {},
  };
}
