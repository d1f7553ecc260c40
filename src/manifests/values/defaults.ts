import { L5D_VERSION } from '../../version.js';
import type { ResourcesValues, Values, ValuesTree, WebhookValues } from './types.js';

/** l5d's own runtime images; the registry is what `--registry` rewrites. */
export const DEFAULT_REGISTRY = 'ghcr.io/l5d';
export const DEFAULT_CONTROLLER_IMAGE = `${DEFAULT_REGISTRY}/controller`;
export const DEFAULT_PROXY_IMAGE = `${DEFAULT_REGISTRY}/proxy`;
export const DEFAULT_DEBUG_IMAGE = `${DEFAULT_REGISTRY}/debug`;

export const DEFAULT_CLUSTER_NETWORKS = '10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8';
export const DEFAULT_OPAQUE_PORTS = '25,587,3306,4444,5432,6379,9300,11211';
export const DEFAULT_PROXY_LOG_LEVEL = 'warn,linkerd=info,hickory=error';

/** Kept in Linkerd's format so tooling that greps `linkerd.io/created-by` keeps working. */
export function cliCreatedBy(version: string = L5D_VERSION): string {
  return `linkerd/cli ${version}`;
}

function emptyResources(): ResourcesValues {
  return {
    cpu: { limit: '', request: '' },
    memory: { limit: '', request: '' },
    'ephemeral-storage': { limit: '', request: '' },
  };
}

function webhookDefaults(namespaceSelector: WebhookValues['namespaceSelector']): WebhookValues {
  return {
    externalSecret: false,
    namespaceSelector,
    crtPEM: '',
    keyPEM: '',
    caBundle: '',
    injectCaFrom: '',
    injectCaFromSecret: '',
  };
}

const admissionWebhooksNotDisabled = {
  key: 'config.linkerd.io/admission-webhooks',
  operator: 'NotIn',
  values: ['disabled'],
};

/** Chart defaults (inject.md §2.4, install.md §3.9–§3.11). A fresh tree on every call. */
export function defaultValues(version: string = L5D_VERSION): Values {
  return {
    cliVersion: cliCreatedBy(version),
    clusterDomain: 'cluster.local',
    clusterNetworks: DEFAULT_CLUSTER_NETWORKS,
    cniEnabled: false,
    controller: { podDisruptionBudget: { maxUnavailable: 1 } },
    controllerGID: -1,
    controllerImage: DEFAULT_CONTROLLER_IMAGE,
    controllerLogFormat: 'plain',
    controllerLogLevel: 'info',
    controllerReplicas: 1,
    controllerUID: 2103,
    debugContainer: { image: { name: DEFAULT_DEBUG_IMAGE, pullPolicy: '', version: '' } },
    deploymentStrategy: { rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    destinationController: {
      meshedHttp2ClientProtobuf: {
        keep_alive: { interval: { seconds: 10 }, timeout: { seconds: 3 }, while_idle: true },
      },
    },
    disableHeartBeat: false,
    disableIPv6: true,
    egress: { globalEgressNetworkNamespace: 'linkerd-egress' },
    enableEndpointSlices: true,
    enableH2Upgrade: true,
    enablePodAntiAffinity: false,
    enablePodDisruptionBudget: false,
    heartbeat: {},
    heartbeatSchedule: '',
    highAvailability: false,
    identity: {
      externalCA: false,
      serviceAccountTokenProjection: true,
      issuer: {
        scheme: 'linkerd.io/tls',
        clockSkewAllowance: '20s',
        issuanceLifetime: '24h0m0s',
        tls: { crtPEM: '', keyPEM: '' },
      },
      kubeAPI: { clientQPS: 100, clientBurst: 200 },
    },
    identityTrustAnchorsPEM: '',
    identityTrustDomain: '',
    imagePullPolicy: 'IfNotPresent',
    imagePullSecrets: [],
    linkerdVersion: version,
    networkValidator: {
      logLevel: 'debug',
      logFormat: 'plain',
      connectAddr: '',
      listenAddr: '',
      timeout: '10s',
      enableSecurityContext: true,
    },
    nodeAffinity: null,
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    podAnnotations: {},
    podLabels: {},
    podMonitor: {
      enabled: false,
      scrapeInterval: '10s',
      scrapeTimeout: '10s',
      controller: {
        enabled: true,
        namespaceSelector: 'matchNames:\n  - {{ .Release.Namespace }}\n  - linkerd-viz\n  - linkerd-jaeger\n',
      },
      serviceMirror: { enabled: true },
      proxy: { enabled: true },
    },
    policyController: {
      image: { name: DEFAULT_CONTROLLER_IMAGE, pullPolicy: '', version: '' },
      logLevel: 'info',
      probeNetworks: ['0.0.0.0/0', '::/0'],
      resources: emptyResources(),
    },
    policyValidator: webhookDefaults({ matchExpressions: [admissionWebhooksNotDisabled] }),
    priorityClassName: '',
    profileValidator: webhookDefaults({ matchExpressions: [admissionWebhooksNotDisabled] }),
    prometheusUrl: '',
    proxy: {
      enableExternalProfiles: false,
      outboundConnectTimeout: '1000ms',
      inboundConnectTimeout: '100ms',
      outboundDiscoveryCacheUnusedTimeout: '5s',
      inboundDiscoveryCacheUnusedTimeout: '90s',
      disableOutboundProtocolDetectTimeout: false,
      disableInboundProtocolDetectTimeout: false,
      image: { name: DEFAULT_PROXY_IMAGE, pullPolicy: '', version: '' },
      logLevel: DEFAULT_PROXY_LOG_LEVEL,
      logFormat: 'plain',
      logHTTPHeaders: 'off',
      tracing: {
        enabled: false,
        traceServiceName: 'linkerd-proxy',
        collector: { endpoint: '', meshIdentity: { serviceAccountName: '', namespace: '' } },
      },
      ports: { admin: 4191, control: 4190, inbound: 4143, outbound: 4140 },
      resources: emptyResources(),
      runtime: { workers: { minimum: 1 } },
      uid: 2102,
      gid: -1,
      waitBeforeExitSeconds: 0,
      isGateway: false,
      isIngress: false,
      requireIdentityOnInboundPorts: '',
      opaquePorts: DEFAULT_OPAQUE_PORTS,
      await: true,
      defaultInboundPolicy: 'all-unauthenticated',
      accessLog: '',
      shutdownGracePeriod: '',
      nativeSidecar: true,
      enableShutdownEndpoint: false,
      startupProbe: { initialDelaySeconds: 0, periodSeconds: 1, failureThreshold: 120 },
      readinessProbe: { initialDelaySeconds: 2, timeoutSeconds: 1 },
      livenessProbe: { initialDelaySeconds: 10, timeoutSeconds: 1 },
      control: { streams: { initialTimeout: '3s', idleTimeout: '5m', lifetime: '1h' } },
      inbound: { server: { http2: { keepAliveInterval: '10s', keepAliveTimeout: '3s' } } },
      outbound: { server: { http2: { keepAliveInterval: '10s', keepAliveTimeout: '3s' } } },
      metrics: { hostnameLabels: false },
    },
    proxyContainerName: 'linkerd-proxy',
    proxyInit: {
      iptablesMode: 'nft',
      ignoreInboundPorts: '4567,4568',
      ignoreOutboundPorts: '4567,4568',
      kubeAPIServerPorts: '443,6443',
      skipSubnets: '',
      logLevel: '',
      logFormat: '',
      closeWaitTimeoutSecs: 0,
      privileged: false,
      runAsRoot: false,
      runAsUser: 65534,
      runAsGroup: 65534,
      xtMountPath: { mountPath: '/run', name: 'linkerd-proxy-init-xtables-lock' },
    },
    proxyInjector: {
      ...webhookDefaults({
        matchExpressions: [
          admissionWebhooksNotDisabled,
          { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'cert-manager'] },
        ],
      }),
      // Upstream's CLI drops this chart default (renders `objectSelector: null`); l5d keeps it, so the
      // injector never sees control-plane or CNI pods.
      objectSelector: {
        matchExpressions: [
          { key: 'linkerd.io/control-plane-component', operator: 'DoesNotExist' },
          { key: 'linkerd.io/cni-resource', operator: 'DoesNotExist' },
        ],
      },
      timeoutSeconds: 10,
    },
    revisionHistoryLimit: 10,
    spValidator: {},
    tolerations: null,
    webhookFailurePolicy: 'Ignore',
  };
}

function controllerResources(memoryRequest: string): ResourcesValues {
  return { cpu: { limit: '', request: '100m' }, memory: { limit: '250Mi', request: memoryRequest } };
}

/**
 * The `values-ha.yaml` overlay (install.md §3.12), merged on top of the defaults by `--ha`. Unlike
 * upstream's CLI it keeps `spValidatorResources`, so sp-validator gets the controller resources as
 * Helm would give it.
 */
export function haValues(): ValuesTree {
  return {
    enablePodDisruptionBudget: true,
    deploymentStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
    enablePodAntiAffinity: true,
    proxy: { resources: { cpu: { request: '100m' }, memory: { limit: '250Mi', request: '20Mi' } } },
    controllerReplicas: 3,
    destinationResources: controllerResources('50Mi'),
    identityResources: controllerResources('10Mi'),
    heartbeatResources: controllerResources('50Mi'),
    proxyInjectorResources: controllerResources('50Mi'),
    spValidatorResources: controllerResources('50Mi'),
    webhookFailurePolicy: 'Fail',
    highAvailability: true,
  };
}

/**
 * Top-level keys `--set` accepts: everything the defaults carry plus chart keys the defaults leave unset.
 * A first path segment outside this list is almost always a typo, so it is refused.
 */
export const KNOWN_TOP_LEVEL_KEYS: ReadonlySet<string> = new Set([
  ...Object.keys(defaultValues()),
  ...Object.keys(haValues()),
  'controllerImageVersion',
  'controllerResources',
  'destinationProxyResources',
  'identityProxyResources',
  'proxyInjectorProxyResources',
  'commonLabels',
  'runtimeClassName',
  'enablePSP',
  'enablePprof',
  'controlPlaneTracing',
  'controlPlaneTracingNamespace',
  'configReaders',
  'kubeAPI',
  'installNamespace',
  'installGatewayAPI',
  'enableHttpRoutes',
  'enableTlsRoutes',
  'enableTcpRoutes',
]);
