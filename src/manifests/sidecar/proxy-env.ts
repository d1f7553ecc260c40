import type { V1EnvVar } from '@kubernetes/client-node';
import type { ProxyParamTree } from '../values/types.js';
import { meshIdentity, type SidecarContext } from './context.js';

export const IDENTITY_END_ENTITY_DIR = '/var/run/linkerd/identity/end-entity';
export const PODINFO_DIR = '/var/run/linkerd/podinfo';
export const PROJECTED_TOKEN_DIR = '/var/run/secrets/tokens';
export const PROJECTED_TOKEN_FILE = 'linkerd-identity-token';
export const SERVICE_ACCOUNT_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const TRUST_ROOTS_CONFIGMAP = 'linkerd-identity-trust-roots';

const P = 'LINKERD2_PROXY_';

const value = (name: string, v: string): V1EnvVar => (v === '' ? { name } : { name, value: v });
const field = (name: string, fieldPath: string): V1EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
const when = (cond: unknown, ...vars: V1EnvVar[]): V1EnvVar[] => (cond ? vars : []);

function trustAnchorsPEM(ctx: SidecarContext): string {
  const pem = ctx.values.identityTrustAnchorsPEM?.trim() ?? '';
  if (pem === '') throw new Error('Please provide the identity trust anchors');
  return pem;
}

/** `keepAliveInterval` → `KEEP_ALIVE_INTERVAL`, `http2` → `HTTP2`. */
function screamingSnake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-.\s]+/g, '_')
    .toUpperCase();
}

/** One env var per leaf of `proxy.inbound` / `proxy.outbound`, keys sorted (inject.md §6.4 #45). */
function paramEnv(prefix: string, tree: ProxyParamTree | undefined): V1EnvVar[] {
  if (!tree) return [];
  return Object.keys(tree)
    .sort()
    .flatMap((key) => {
      const leaf = tree[key];
      const name = `${prefix}_${screamingSnake(key)}`;
      if (leaf !== null && typeof leaf === 'object') return paramEnv(name, leaf);
      return leaf === null || leaf === undefined ? [] : [{ name, value: String(leaf) }];
    });
}

function logEnv(ctx: SidecarContext): V1EnvVar[] {
  const { logLevel, logFormat, logHTTPHeaders } = ctx.values.proxy;
  const headers = logHTTPHeaders || 'off';
  if (headers !== 'off' && headers !== 'insecure') throw new Error('logHTTPHeaders must be one of: insecure | off');
  const level = headers === 'insecure' ? logLevel : `${logLevel},[{headers}]=off,[{request}]=off`;
  return [value(`${P}LOG`, level), value(`${P}LOG_FORMAT`, logFormat || 'plain')];
}

function coresEnv(ctx: SidecarContext): V1EnvVar[] {
  const { cores, runtime } = ctx.values.proxy;
  const minimum = cores ? cores : runtime.workers.minimum;
  return [
    value(`${P}CORES`, String(minimum)),
    value(`${P}CORES_MIN`, String(minimum)),
    ...when(runtime.workers.maximum, value(`${P}CORES_MAX`, String(runtime.workers.maximum))),
    ...when(runtime.workers.maximumCPURatio, value(`${P}CORES_MAX_RATIO`, String(runtime.workers.maximumCPURatio))),
  ];
}

function controlPlaneAddress(ctx: SidecarContext, service: string, port: number, local: boolean): string {
  return local ? `localhost.:${port}` : `${service}.${ctx.ns}.svc.${ctx.clusterDomain}.:${port}`;
}

function listenEnv(ctx: SidecarContext): V1EnvVar[] {
  const { ports } = ctx.values.proxy;
  const any = ctx.ipv6 ? '[::]' : '0.0.0.0';
  const outbound = `127.0.0.1:${ports.outbound}`;
  return [
    value(`${P}CONTROL_LISTEN_ADDR`, `${any}:${ports.control}`),
    value(`${P}ADMIN_LISTEN_ADDR`, `${any}:${ports.admin}`),
    value(`${P}OUTBOUND_LISTEN_ADDR`, outbound),
    value(`${P}OUTBOUND_LISTEN_ADDRS`, ctx.ipv6 ? `${outbound},[::1]:${ports.outbound}` : outbound),
    value(`${P}INBOUND_LISTEN_ADDR`, `${any}:${ports.inbound}`),
    field(`${P}INBOUND_IPS`, 'status.podIPs'),
  ];
}

function tracingEnv(ctx: SidecarContext): V1EnvVar[] {
  const { tracing } = ctx.values.proxy;
  if (!tracing?.enabled) return [];
  const { endpoint, meshIdentity: id } = tracing.collector;
  if (!endpoint) throw new Error('proxy.tracing.collector.endpoint must be set when proxy.tracing is enabled');
  if (!id?.serviceAccountName || !id.namespace) {
    throw new Error('proxy.tracing.collector.meshIdentity must be set when proxy.tracing is enabled');
  }
  const serviceName =
    ctx.podLabels['app.kubernetes.io/instance'] ??
    ctx.podLabels['app.kubernetes.io/name'] ??
    (tracing.traceServiceName || 'linkerd-proxy');
  const otelPrefix = 'resource.opentelemetry.io/';
  const extra = {
    ...(tracing.labels ?? {}),
    ...Object.fromEntries(
      Object.entries(ctx.podAnnotations)
        .filter(([k]) => k.startsWith(otelPrefix))
        .map(([k, v]) => [k.slice(otelPrefix.length), v]),
    ),
  };
  const extraLines = Object.entries(extra).map(([k, v]) => `${k}=${v}\n`);
  return [
    value(`${P}TRACE_ATTRIBUTES_PATH`, `${PODINFO_DIR}/labels`),
    value(`${P}TRACE_ANNOTATIONS_PATH`, `${PODINFO_DIR}/annotations`),
    value(`${P}TRACE_PROTOCOL`, tracing.protocol || 'opentelemetry'),
    value(`${P}TRACE_SERVICE_NAME`, serviceName),
    value(`${P}TRACE_COLLECTOR_SVC_ADDR`, endpoint),
    value(`${P}TRACE_COLLECTOR_SVC_NAME`, meshIdentity(ctx, id.serviceAccountName, id.namespace)),
    ...when(extraLines.length > 0, value(`${P}TRACE_EXTRA_ATTRIBUTES`, extraLines.join(''))),
  ];
}

function identityEnv(ctx: SidecarContext): V1EnvVar[] {
  const pem = trustAnchorsPEM(ctx);
  const anchors: V1EnvVar = ctx.component
    ? {
        name: `${P}IDENTITY_TRUST_ANCHORS`,
        valueFrom: { configMapKeyRef: { name: TRUST_ROOTS_CONFIGMAP, key: 'ca-bundle.crt' } },
      }
    : value(`${P}IDENTITY_TRUST_ANCHORS`, `${pem}\n`);
  const tokenFile = ctx.values.identity.serviceAccountTokenProjection
    ? `${PROJECTED_TOKEN_DIR}/${PROJECTED_TOKEN_FILE}`
    : SERVICE_ACCOUNT_TOKEN_FILE;
  const destinationName = meshIdentity(ctx, 'linkerd-destination', ctx.ns);
  return [
    field('_pod_sa', 'spec.serviceAccountName'),
    value('_l5d_ns', ctx.ns),
    value('_l5d_trustdomain', ctx.trustDomain),
    value(`${P}IDENTITY_DIR`, IDENTITY_END_ENTITY_DIR),
    anchors,
    value(`${P}IDENTITY_TOKEN_FILE`, tokenFile),
    value(
      `${P}IDENTITY_SVC_ADDR`,
      controlPlaneAddress(ctx, 'linkerd-identity-headless', 8080, ctx.component === 'identity'),
    ),
    value(`${P}IDENTITY_LOCAL_NAME`, meshIdentity(ctx, '$(_pod_sa)', '$(_pod_ns)')),
    value(`${P}IDENTITY_SVC_NAME`, meshIdentity(ctx, 'linkerd-identity', ctx.ns)),
    value(`${P}DESTINATION_SVC_NAME`, destinationName),
    value(`${P}POLICY_SVC_NAME`, destinationName),
  ];
}

/** The proxy's environment in Linkerd's exact order (inject.md §6.4, install.md §3.10). */
export function proxyEnv(ctx: SidecarContext): V1EnvVar[] {
  const { proxy, clusterNetworks } = ctx.values;
  const inDestinationPod = ctx.component === 'destination';
  const svcSuffix = `svc.${ctx.clusterDomain}.`;
  return [
    field('_pod_name', 'metadata.name'),
    field('_pod_ns', 'metadata.namespace'),
    field('_pod_uid', 'metadata.uid'),
    field('_pod_ip', 'status.podIP'),
    field('_pod_nodeName', 'spec.nodeName'),
    value('_pod_containerName', 'linkerd-proxy'),
    ...coresEnv(ctx),
    ...when(
      proxy.requireIdentityOnInboundPorts,
      value(`${P}INBOUND_PORTS_REQUIRE_IDENTITY`, proxy.requireIdentityOnInboundPorts),
    ),
    ...when(
      proxy.requireTLSOnInboundPorts,
      value(`${P}INBOUND_PORTS_REQUIRE_TLS`, proxy.requireTLSOnInboundPorts ?? ''),
    ),
    value(`${P}SHUTDOWN_ENDPOINT_ENABLED`, String(Boolean(proxy.enableShutdownEndpoint))),
    ...logEnv(ctx),
    value(`${P}DESTINATION_SVC_ADDR`, controlPlaneAddress(ctx, 'linkerd-dst-headless', 8086, inDestinationPod)),
    value(`${P}DESTINATION_PROFILE_NETWORKS`, clusterNetworks),
    value(`${P}POLICY_SVC_ADDR`, controlPlaneAddress(ctx, 'linkerd-policy', 8090, inDestinationPod)),
    value(`${P}POLICY_WORKLOAD`, '{"ns":"$(_pod_ns)", "pod":"$(_pod_name)"}\n'),
    value(`${P}INBOUND_DEFAULT_POLICY`, proxy.defaultInboundPolicy),
    value(`${P}POLICY_CLUSTER_NETWORKS`, clusterNetworks),
    value(`${P}CONTROL_STREAM_INITIAL_TIMEOUT`, proxy.control.streams.initialTimeout),
    value(`${P}CONTROL_STREAM_IDLE_TIMEOUT`, proxy.control.streams.idleTimeout),
    value(`${P}CONTROL_STREAM_LIFETIME`, proxy.control.streams.lifetime),
    ...when(proxy.inboundConnectTimeout, value(`${P}INBOUND_CONNECT_TIMEOUT`, proxy.inboundConnectTimeout)),
    ...when(proxy.outboundConnectTimeout, value(`${P}OUTBOUND_CONNECT_TIMEOUT`, proxy.outboundConnectTimeout)),
    ...when(
      proxy.outboundDiscoveryCacheUnusedTimeout,
      value(`${P}OUTBOUND_DISCOVERY_IDLE_TIMEOUT`, proxy.outboundDiscoveryCacheUnusedTimeout),
    ),
    ...when(
      proxy.inboundDiscoveryCacheUnusedTimeout,
      value(`${P}INBOUND_DISCOVERY_IDLE_TIMEOUT`, proxy.inboundDiscoveryCacheUnusedTimeout),
    ),
    ...when(proxy.disableOutboundProtocolDetectTimeout, value(`${P}OUTBOUND_DETECT_TIMEOUT`, '365d')),
    ...when(proxy.disableInboundProtocolDetectTimeout, value(`${P}INBOUND_DETECT_TIMEOUT`, '365d')),
    ...listenEnv(ctx),
    value(`${P}INBOUND_PORTS`, ctx.inboundPorts),
    ...when(proxy.isGateway, value(`${P}INBOUND_GATEWAY_SUFFIXES`, svcSuffix)),
    ...when(proxy.isIngress, value(`${P}INGRESS_MODE`, 'true')),
    value(`${P}DESTINATION_PROFILE_SUFFIXES`, proxy.enableExternalProfiles ? '.' : svcSuffix),
    value(`${P}INBOUND_ACCEPT_KEEPALIVE`, '10000ms'),
    value(`${P}OUTBOUND_CONNECT_KEEPALIVE`, '10000ms'),
    value(`${P}INBOUND_ACCEPT_USER_TIMEOUT`, '30s'),
    value(`${P}OUTBOUND_CONNECT_USER_TIMEOUT`, '30s'),
    value(`${P}OUTBOUND_METRICS_HOSTNAME_LABELS`, String(Boolean(proxy.metrics?.hostnameLabels))),
    ...tracingEnv(ctx),
    ...paramEnv(`${P}INBOUND`, proxy.inbound),
    ...paramEnv(`${P}OUTBOUND`, proxy.outbound),
    ...when(proxy.opaquePorts, value(`${P}INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION`, proxy.opaquePorts)),
    value(`${P}DESTINATION_CONTEXT`, '{"ns":"$(_pod_ns)", "nodeName":"$(_pod_nodeName)", "pod":"$(_pod_name)"}\n'),
    ...identityEnv(ctx),
    ...when(proxy.accessLog, value(`${P}ACCESS_LOG`, proxy.accessLog)),
    ...when(proxy.shutdownGracePeriod, value(`${P}SHUTDOWN_GRACE_PERIOD`, proxy.shutdownGracePeriod)),
    ...(proxy.additionalEnv ?? []),
    ...(proxy.experimentalEnv ?? []),
  ];
}

/**
 * Merges env lists by name, later lists winning but keeping the first position of each name: Helm's
 * `proxy.additionalEnv` < namespace < workload `config.linkerd.io/proxy-additional-env` (inject.md §6.4 #61).
 */
export function mergeEnvByName(...lists: readonly (readonly V1EnvVar[] | undefined)[]): V1EnvVar[] {
  const merged = new Map<string, V1EnvVar>();
  for (const list of lists) for (const env of list ?? []) merged.set(env.name, env);
  return [...merged.values()];
}
