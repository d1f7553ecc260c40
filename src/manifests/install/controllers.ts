import type { V1Container, V1Volume } from '@kubernetes/client-node';
import type { Values } from '../values/types.js';
import type { RenderContext } from './context.js';
import { containerResources } from '../sidecar/resources.js';
import { controllerContainer, controllerProbes, controllerSecurityContext } from './pod-parts.js';
import { imageRef, trustDomain } from './meta.js';

/** The controller containers and their own volumes for one control-plane pod. */
export interface ComponentPod {
  containers: V1Container[];
  volumes: V1Volume[];
}

const TLS_MOUNT_PATH = '/var/run/linkerd/tls';
const secretVolume = (name: string, secretName: string): V1Volume => ({ name, secret: { secretName } });
const configMapVolume = (name: string, configMapName: string): V1Volume => ({
  name,
  configMap: { name: configMapName },
});

function logFlags(values: Values, level = values.controllerLogLevel): string[] {
  return [`-log-level=${level}`, `-log-format=${values.controllerLogFormat}`];
}

const pprof = (values: Values): string => `-enable-pprof=${values.enablePprof === true}`;

export function identityPod(values: Values, ctx: RenderContext): ComponentPod {
  const issuer = values.identity.issuer;
  const identity = controllerContainer(
    {
      name: 'identity',
      args: [
        'identity',
        ...logFlags(values),
        `-controller-namespace=${ctx.namespace}`,
        `-identity-trust-domain=${trustDomain(values)}`,
        `-identity-issuance-lifetime=${issuer.issuanceLifetime}`,
        `-identity-clock-skew-allowance=${issuer.clockSkewAllowance}`,
        `-identity-scheme=${issuer.scheme}`,
        pprof(values),
        `-kube-apiclient-qps=${values.identity.kubeAPI.clientQPS}`,
        `-kube-apiclient-burst=${values.identity.kubeAPI.clientBurst}`,
      ],
      env: [{ name: 'LINKERD_DISABLED', value: 'linkerd-await cannot block the identity controller' }],
      ports: [
        { containerPort: 8080, name: 'ident-grpc' },
        { containerPort: 9990, name: 'ident-admin' },
      ],
      probes: controllerProbes(9990),
      resources: values.identityResources,
      mounts: [
        { mountPath: '/var/run/linkerd/identity/issuer', name: 'identity-issuer' },
        { mountPath: '/var/run/linkerd/identity/trust-roots/', name: 'trust-roots' },
      ],
    },
    values,
  );
  return {
    containers: [identity],
    volumes: [
      secretVolume('identity-issuer', 'linkerd-identity-issuer'),
      configMapVolume('trust-roots', 'linkerd-identity-trust-roots'),
    ],
  };
}

function policyContainer(values: Values, ctx: RenderContext): V1Container {
  const any = values.disableIPv6 ? '0.0.0.0' : '[::]';
  const image = values.policyController.image;
  return {
    name: 'policy',
    image: imageRef(image.name, image.version, values),
    imagePullPolicy: image.pullPolicy || values.imagePullPolicy,
    command: ['/linkerd-policy-controller'],
    args: [
      `--admin-addr=${any}:9990`,
      `--control-plane-namespace=${ctx.namespace}`,
      `--grpc-addr=${any}:8090`,
      `--server-addr=${any}:9443`,
      `--server-tls-key=${TLS_MOUNT_PATH}/tls.key`,
      `--server-tls-certs=${TLS_MOUNT_PATH}/tls.crt`,
      `--cluster-networks=${values.clusterNetworks}`,
      `--identity-domain=${trustDomain(values)}`,
      `--cluster-domain=${values.clusterDomain}`,
      `--default-policy=${values.proxy.defaultInboundPolicy}`,
      `--log-level=${values.policyController.logLevel}`,
      `--log-format=${values.controllerLogFormat}`,
      `--default-opaque-ports=${values.proxy.opaquePorts}`,
      `--global-egress-network-namespace=${values.egress.globalEgressNetworkNamespace}`,
      `--probe-networks=${values.policyController.probeNetworks.join(',')}`,
    ],
    ports: [
      { containerPort: 8090, name: 'policy-grpc' },
      { containerPort: 9990, name: 'policy-admin' },
      { containerPort: 9443, name: 'policy-https' },
    ],
    ...controllerProbes('policy-admin', '/live'),
    resources: containerResources(values.policyController.resources) ?? {},
    securityContext: controllerSecurityContext(values),
    volumeMounts: [
      { mountPath: TLS_MOUNT_PATH, name: 'policy-tls', readOnly: true },
      { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'kube-api-access', readOnly: true },
    ],
  };
}

export function destinationPod(values: Values, ctx: RenderContext): ComponentPod {
  const destination = controllerContainer(
    {
      name: 'destination',
      args: [
        'destination',
        '-addr=:8086',
        `-controller-namespace=${ctx.namespace}`,
        '-outbound-transport-mode=transport-header',
        `-enable-h2-upgrade=${values.enableH2Upgrade}`,
        ...logFlags(values),
        `-enable-endpoint-slices=${values.enableEndpointSlices}`,
        `-cluster-domain=${values.clusterDomain}`,
        `-identity-trust-domain=${trustDomain(values)}`,
        `-default-opaque-ports=${values.proxy.opaquePorts}`,
        `-enable-ipv6=${!values.disableIPv6}`,
        pprof(values),
        `--meshed-http2-client-params=${JSON.stringify(values.destinationController.meshedHttp2ClientProtobuf)}`,
      ],
      ports: [
        { containerPort: 8086, name: 'dest-grpc' },
        { containerPort: 9996, name: 'dest-admin' },
      ],
      probes: controllerProbes(9996),
      resources: values.destinationResources,
    },
    values,
  );
  const spValidator = controllerContainer(
    {
      name: 'sp-validator',
      args: ['sp-validator', ...logFlags(values), pprof(values)],
      ports: [
        { containerPort: 8443, name: 'sp-validator' },
        { containerPort: 9997, name: 'spval-admin' },
      ],
      probes: controllerProbes(9997),
      resources: values.spValidatorResources,
      mounts: [{ mountPath: TLS_MOUNT_PATH, name: 'sp-tls', readOnly: true }],
    },
    values,
  );
  return {
    containers: [destination, spValidator, policyContainer(values, ctx)],
    volumes: [
      secretVolume('sp-tls', 'linkerd-sp-validator-k8s-tls'),
      secretVolume('policy-tls', 'linkerd-policy-validator-k8s-tls'),
    ],
  };
}

export function proxyInjectorPod(values: Values, ctx: RenderContext): ComponentPod {
  const injector = controllerContainer(
    {
      name: 'proxy-injector',
      args: ['proxy-injector', ...logFlags(values), `-linkerd-namespace=${ctx.namespace}`, pprof(values)],
      ports: [
        { containerPort: 8443, name: 'proxy-injector' },
        { containerPort: 9995, name: 'injector-admin' },
      ],
      probes: controllerProbes(9995),
      resources: values.proxyInjectorResources,
      mounts: [
        { mountPath: '/var/run/linkerd/config', name: 'config' },
        { mountPath: '/var/run/linkerd/identity/trust-roots', name: 'trust-roots' },
        { mountPath: TLS_MOUNT_PATH, name: 'tls', readOnly: true },
      ],
    },
    values,
  );
  return {
    containers: [injector],
    volumes: [
      configMapVolume('config', 'linkerd-config'),
      configMapVolume('trust-roots', 'linkerd-identity-trust-roots'),
      secretVolume('tls', 'linkerd-proxy-injector-k8s-tls'),
    ],
  };
}
