/**
 * Sidecar core shared by `l5d install` (control-plane pods, install.md §3.10) and `l5d inject` / the
 * proxy-injector (workloads, inject.md §6). Everything here is pure.
 *
 * Call `buildSidecar({ values, controlPlaneNamespace, podNamespace, podSpec, ... })` with the *effective*
 * values (chart defaults + linkerd-config + flags + `config.linkerd.io/*` annotation overrides, already
 * mapped onto `Values` keys such as `proxy.logLevel`, `proxy.nativeSidecar`, `proxy.await`,
 * `proxyInit.closeWaitTimeoutSecs`, `proxy.runtime.workers.*`, `debugContainer.image.*`). It returns
 * `SidecarParts`: Linkerd's init containers (`linkerd-init` or `linkerd-network-validator`, then the native
 * proxy), containers to put before/after the app containers (classic proxy, `linkerd-debug`), volumes,
 * and the pod annotations (`linkerd.io/created-by` if `createdBy` is given, `linkerd.io/proxy-version`,
 * `linkerd.io/trust-root-sha256`) and labels (`linkerd.io/control-plane-ns`, `linkerd.io/workload-ns`,
 * `linkerd.io/proxy-<kind>` if `workload` is given). `applySidecarToPodSpec(podSpec, parts)` returns a new
 * pod spec with everything in Linkerd's order (inject.md §6.8); metadata is left to the caller. For
 * workloads pass the pre-injection `podSpec`: inbound ports, the first app container's capabilities and
 * service-account mount come from it. For control-plane pods pass `controlPlaneComponent`: localhost
 * control-plane addresses, trust anchors from the `linkerd-identity-trust-roots` ConfigMap, fixed inbound
 * ports, `<component>ProxyResources`, kube-API ports skipped outbound, and a classic non-awaited proxy with
 * REQUIRE_TLS for identity. Throws `Error` with Linkerd's messages (`Please provide the identity trust
 * anchors`, `logHTTPHeaders must be one of: insecure | off`, iptables mode, close-wait without root).
 */
import { createHash } from 'node:crypto';
import type { V1PodSpec } from '@kubernetes/client-node';
import { resolveContext, type SidecarContext } from './context.js';
import { debugContainer } from './debug-container.js';
import { networkValidatorContainer, proxyInitContainer } from './init-container.js';
import { proxyContainer } from './proxy-container.js';
import type { ProxyPlacement, SidecarInput, SidecarParts } from './types.js';
import { sidecarVolumes } from './volumes.js';

export type { ControlPlaneComponent, ProxyPlacement, SidecarInput, SidecarParts } from './types.js';
export { podInboundPorts } from './pod-ports.js';
export { mergeEnvByName } from './proxy-env.js';
export { proxyInitArgs } from './init-container.js';
export { PROXY_CONTAINER_NAME } from './proxy-container.js';
export { DEBUG_CONTAINER_NAME } from './debug-container.js';

/** Lowercase hex SHA-256 of the trust anchors exactly as configured (`linkerd.io/trust-root-sha256`). */
export function trustRootSha256(pem: string): string {
  return createHash('sha256').update(pem).digest('hex');
}

function placementOf(ctx: SidecarContext): ProxyPlacement {
  if (ctx.native) return 'native-sidecar';
  return ctx.values.proxy.await ? 'first-container' : 'last-container';
}

function podAnnotations(ctx: SidecarContext, input: SidecarInput): Record<string, string> {
  return {
    ...(input.createdBy ? { 'linkerd.io/created-by': input.createdBy } : {}),
    'linkerd.io/proxy-version': ctx.proxyVersion,
    'linkerd.io/trust-root-sha256': trustRootSha256(ctx.values.identityTrustAnchorsPEM),
  };
}

function podLabels(ctx: SidecarContext, input: SidecarInput): Record<string, string> {
  return {
    'linkerd.io/control-plane-ns': ctx.ns,
    'linkerd.io/workload-ns': input.podNamespace,
    ...(input.workload ? { [`linkerd.io/proxy-${input.workload.kind.toLowerCase()}`]: input.workload.name } : {}),
  };
}

export function buildSidecar(input: SidecarInput): SidecarParts {
  const ctx = resolveContext(input);
  const proxy = proxyContainer(ctx);
  const init = ctx.values.cniEnabled ? networkValidatorContainer(ctx) : proxyInitContainer(ctx);
  const debug = input.enableDebugSidecar ? [debugContainer(ctx.values)] : [];
  const placement = placementOf(ctx);
  return {
    initContainers: placement === 'native-sidecar' ? [init, proxy] : [init],
    initContainersFirst: placement === 'native-sidecar',
    containersBefore: placement === 'first-container' ? [proxy] : [],
    containersAfter: placement === 'last-container' ? [...debug, proxy] : debug,
    volumes: sidecarVolumes(ctx),
    annotations: podAnnotations(ctx, input),
    labels: podLabels(ctx, input),
    placement,
    proxy,
  };
}

/** A new pod spec with the sidecar's containers and volumes placed as Linkerd places them (inject.md §6.8). */
export function applySidecarToPodSpec(podSpec: V1PodSpec, parts: SidecarParts): V1PodSpec {
  const existingInit = podSpec.initContainers ?? [];
  return {
    ...podSpec,
    initContainers: parts.initContainersFirst
      ? [...parts.initContainers, ...existingInit]
      : [...existingInit, ...parts.initContainers],
    containers: [...parts.containersBefore, ...(podSpec.containers ?? []), ...parts.containersAfter],
    volumes: [...(podSpec.volumes ?? []), ...parts.volumes],
  };
}
