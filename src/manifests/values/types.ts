import type { V1EnvVar, V1SecurityContext } from '@kubernetes/client-node';

/**
 * Linkerd's control-plane chart values, with the chart's own camelCase keys so `--set proxy.logLevel=debug`
 * means what Linkerd users expect. The tree is a plain object (never a class): keys the model does not
 * list still pass through every merge, diff and render untouched, hence the open index signatures.
 */

/** One resource dimension; an empty string means "not configured". */
export interface ResourceQuantities {
  limit?: string;
  request?: string;
  [key: string]: unknown;
}

/** `proxy.resources`-style block (also used by `<component>Resources`). */
export interface ResourcesValues {
  cpu?: ResourceQuantities;
  memory?: ResourceQuantities;
  'ephemeral-storage'?: ResourceQuantities;
  [key: string]: unknown;
}

export interface ImageValues {
  name: string;
  /** Empty means the global `imagePullPolicy`. */
  pullPolicy: string;
  /** Empty means `linkerdVersion`. */
  version: string;
  [key: string]: unknown;
}

export interface CapabilitiesValues {
  add?: string[];
  drop?: string[];
}

/** A volume mount copied from the application container (the service-account token mount). */
export interface MountValues {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface ProbeValues {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  [key: string]: unknown;
}

export interface ProxyPortsValues {
  admin: number;
  control: number;
  inbound: number;
  outbound: number;
  [key: string]: unknown;
}

export interface ProxyTracingValues {
  enabled: boolean;
  traceServiceName: string;
  collector: {
    endpoint: string;
    meshIdentity: { serviceAccountName: string; namespace: string; [key: string]: unknown };
    [key: string]: unknown;
  };
  /** Extra `k=v` attributes (LINKERD2_PROXY_TRACE_EXTRA_ATTRIBUTES). */
  labels?: Record<string, string>;
  protocol?: string;
  [key: string]: unknown;
}

/** Nested `proxy.inbound` / `proxy.outbound` parameters, rendered as LINKERD2_PROXY_<DIR>_<PATH> env vars. */
export interface ProxyParamTree {
  [key: string]: ProxyParamTree | string | number | boolean | null;
}

export interface ProxyValues {
  additionalEnv?: V1EnvVar[];
  experimentalEnv?: V1EnvVar[];
  enableExternalProfiles: boolean;
  outboundConnectTimeout: string;
  inboundConnectTimeout: string;
  outboundDiscoveryCacheUnusedTimeout: string;
  inboundDiscoveryCacheUnusedTimeout: string;
  disableOutboundProtocolDetectTimeout: boolean;
  disableInboundProtocolDetectTimeout: boolean;
  image: ImageValues;
  logLevel: string;
  logFormat: string;
  /** `off` or `insecure`. */
  logHTTPHeaders: string;
  tracing: ProxyTracingValues;
  ports: ProxyPortsValues;
  /** Deprecated; when set it wins over `runtime.workers.minimum`. */
  cores?: number | null;
  resources: ResourcesValues;
  runtime: {
    workers: { minimum: number; maximum?: number | null; maximumCPURatio?: number | null; [key: string]: unknown };
    [key: string]: unknown;
  };
  uid: number;
  /** -1 means "no runAsGroup". */
  gid: number;
  waitBeforeExitSeconds: number;
  isGateway: boolean;
  isIngress: boolean;
  requireIdentityOnInboundPorts: string;
  /** Only the identity pod's proxy sets this (LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_TLS). */
  requireTLSOnInboundPorts?: string;
  opaquePorts: string;
  await: boolean;
  defaultInboundPolicy: string;
  accessLog: string;
  shutdownGracePeriod: string;
  nativeSidecar: boolean;
  enableShutdownEndpoint: boolean;
  startupProbe: ProbeValues;
  readinessProbe: ProbeValues;
  livenessProbe: ProbeValues;
  control: { streams: { initialTimeout: string; idleTimeout: string; lifetime: string; [key: string]: unknown } };
  inbound: ProxyParamTree;
  outbound: ProxyParamTree;
  metrics: { hostnameLabels: boolean; [key: string]: unknown };
  /** Used verbatim as the proxy's securityContext when set. */
  securityContext?: V1SecurityContext | null;
  /** Capabilities of the application container, copied to the proxy (inject). */
  capabilities?: CapabilitiesValues | null;
  /** Service-account token mount of the application container, copied to the proxy (inject). */
  saMountPath?: MountValues | null;
  /** LINKERD2_PROXY_INBOUND_PORTS; computed from the pod by the sidecar builder when absent. */
  podInboundPorts?: string;
  [key: string]: unknown;
}

export interface ProxyInitValues {
  /** `nft` or `legacy`. */
  iptablesMode: string;
  ignoreInboundPorts: string;
  ignoreOutboundPorts: string;
  kubeAPIServerPorts: string;
  skipSubnets: string;
  logLevel: string;
  logFormat: string;
  closeWaitTimeoutSecs: number;
  privileged: boolean;
  runAsRoot: boolean;
  runAsUser: number;
  runAsGroup: number;
  xtMountPath: { mountPath: string; name: string; [key: string]: unknown };
  capabilities?: CapabilitiesValues | null;
  saMountPath?: MountValues | null;
  [key: string]: unknown;
}

export interface NetworkValidatorValues {
  logLevel: string;
  logFormat: string;
  /** Empty: `1.1.1.1:20001` (IPv4) or `[fd00::1]:20001` (IPv6). */
  connectAddr: string;
  /** Empty: `0.0.0.0:<outbound>` or `[::]:<outbound>`. */
  listenAddr: string;
  timeout: string;
  enableSecurityContext: boolean;
  [key: string]: unknown;
}

export interface IdentityIssuerValues {
  scheme: string;
  clockSkewAllowance: string;
  issuanceLifetime: string;
  tls: { crtPEM: string; keyPEM: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface IdentityValues {
  externalCA: boolean;
  serviceAccountTokenProjection: boolean;
  issuer: IdentityIssuerValues;
  kubeAPI: { clientQPS: number; clientBurst: number; [key: string]: unknown };
  [key: string]: unknown;
}

export interface LabelSelectorValues {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
  [key: string]: unknown;
}

/** Shared by proxyInjector, profileValidator and policyValidator (install.md §5). */
export interface WebhookValues {
  externalSecret: boolean;
  namespaceSelector: LabelSelectorValues;
  objectSelector?: LabelSelectorValues;
  crtPEM: string;
  keyPEM: string;
  caBundle: string;
  injectCaFrom: string;
  injectCaFromSecret: string;
  [key: string]: unknown;
}

export interface ProxyInjectorValues extends WebhookValues {
  timeoutSeconds: number;
}

export interface PolicyControllerValues {
  image: ImageValues;
  logLevel: string;
  probeNetworks: string[];
  resources: ResourcesValues;
  [key: string]: unknown;
}

export interface DestinationControllerValues {
  meshedHttp2ClientProtobuf: Record<string, unknown>;
  [key: string]: unknown;
}

export interface PodMonitorValues {
  enabled: boolean;
  scrapeInterval: string;
  scrapeTimeout: string;
  controller: { enabled: boolean; namespaceSelector: string; [key: string]: unknown };
  serviceMirror: { enabled: boolean; [key: string]: unknown };
  proxy: { enabled: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Values {
  cliVersion: string;
  clusterDomain: string;
  clusterNetworks: string;
  cniEnabled: boolean;
  controller: { podDisruptionBudget: { maxUnavailable: number | string }; [key: string]: unknown };
  controllerGID: number;
  controllerImage: string;
  controllerImageVersion?: string;
  controllerLogFormat: string;
  controllerLogLevel: string;
  controllerReplicas: number;
  controllerUID: number;
  debugContainer: { image: ImageValues; [key: string]: unknown };
  deploymentStrategy: { rollingUpdate: { maxUnavailable: number | string; maxSurge: number | string } };
  destinationController: DestinationControllerValues;
  destinationProxyResources?: ResourcesValues | null;
  destinationResources?: ResourcesValues | null;
  disableHeartBeat: boolean;
  disableIPv6: boolean;
  egress: { globalEgressNetworkNamespace: string; [key: string]: unknown };
  enableEndpointSlices: boolean;
  enableH2Upgrade: boolean;
  enablePodAntiAffinity: boolean;
  enablePodDisruptionBudget: boolean;
  heartbeat: Record<string, unknown>;
  heartbeatResources?: ResourcesValues | null;
  /** Empty: derived from render time. */
  heartbeatSchedule: string;
  highAvailability: boolean;
  identity: IdentityValues;
  identityProxyResources?: ResourcesValues | null;
  identityResources?: ResourcesValues | null;
  identityTrustAnchorsPEM: string;
  /** Empty means clusterDomain. */
  identityTrustDomain: string;
  imagePullPolicy: string;
  imagePullSecrets: unknown[];
  linkerdVersion: string;
  networkValidator: NetworkValidatorValues;
  nodeAffinity: unknown;
  nodeSelector: Record<string, string>;
  podAnnotations: Record<string, string>;
  podLabels: Record<string, string>;
  podMonitor: PodMonitorValues;
  policyController: PolicyControllerValues;
  policyValidator: WebhookValues;
  priorityClassName: string;
  profileValidator: WebhookValues;
  prometheusUrl: string;
  proxy: ProxyValues;
  proxyContainerName: string;
  proxyInit: ProxyInitValues;
  proxyInjector: ProxyInjectorValues;
  proxyInjectorProxyResources?: ResourcesValues | null;
  proxyInjectorResources?: ResourcesValues | null;
  revisionHistoryLimit: number;
  spValidator: Record<string, unknown>;
  /** Chart key the CLI upstream drops; l5d keeps it so `--ha` gives sp-validator resources. */
  spValidatorResources?: ResourcesValues | null;
  tolerations: unknown[] | null;
  webhookFailurePolicy: string;
  /** CRD chart keys (install --crds). */
  installGatewayAPI?: boolean;
  enableHttpRoutes?: boolean;
  enableTlsRoutes?: boolean;
  enableTcpRoutes?: boolean;
  [key: string]: unknown;
}

/** A values tree as read from YAML or `--set`: anything goes until merged onto the defaults. */
export type ValuesTree = Record<string, unknown>;
