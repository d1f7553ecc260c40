import type { V1Container, V1ObjectMeta, V1PodSpec, V1Volume } from '@kubernetes/client-node';
import type { Values } from '../values/types.js';

/** Control-plane pods are meshed statically by the install chart (install.md §3.10). */
export type ControlPlaneComponent = 'identity' | 'destination' | 'proxy-injector';

export interface SidecarInput {
  /** Effective values: chart values with flags and `config.linkerd.io/*` overrides already applied. */
  values: Values;
  /** Control-plane namespace (`-L`), used in service addresses and identities. */
  controlPlaneNamespace: string;
  /** The workload's namespace, for `linkerd.io/workload-ns` (`''` when the input has none). */
  podNamespace: string;
  /**
   * The pod spec before injection. Used for LINKERD2_PROXY_INBOUND_PORTS (container and probe ports),
   * and, for workloads, the first app container's capabilities and service-account mount (inject §6.9).
   */
  podSpec?: V1PodSpec;
  /** Pod metadata before injection; only tracing reads it (service name, extra attributes). */
  podMetadata?: V1ObjectMeta;
  /** Overrides the inbound ports computed from `podSpec` (comma list). */
  inboundPorts?: string;
  /** Set by `install` for the control-plane pods; absent for workloads. */
  controlPlaneComponent?: ControlPlaneComponent;
  /** Adds the `linkerd-debug` container (annotation `config.linkerd.io/enable-debug-sidecar`). */
  enableDebugSidecar?: boolean;
  /** Value of `linkerd.io/created-by`, e.g. `linkerd/cli <ver>`; omitted when absent. */
  createdBy?: string;
  /** Adds the `linkerd.io/proxy-<kind>: <name>` label (kind lower-cased, e.g. `deployment`). */
  workload?: { kind: string; name: string };
}

/**
 * Where the proxy goes (inject.md §6.8): `native-sidecar` = init container with restartPolicy Always;
 * `first-container` = first regular container (await via postStart); `last-container` = after the app
 * and debug containers (no await).
 */
export type ProxyPlacement = 'native-sidecar' | 'first-container' | 'last-container';

export interface SidecarParts {
  /** Linkerd's init containers in order: `linkerd-init` (or `linkerd-network-validator`), then the native proxy. */
  initContainers: V1Container[];
  /** True: `initContainers` go before the pod's own init containers; false: after them. */
  initContainersFirst: boolean;
  /** Containers placed before the app containers (the proxy when awaited and not native). */
  containersBefore: V1Container[];
  /** Containers placed after the app containers (`linkerd-debug`, then a non-awaited classic proxy). */
  containersAfter: V1Container[];
  /** Volumes to append, in Linkerd's order. */
  volumes: V1Volume[];
  /** Pod annotations the sidecar adds (created-by, proxy-version, trust-root-sha256). */
  annotations: Record<string, string>;
  /** Pod labels the sidecar adds (control-plane-ns, workload-ns, proxy-<kind>). */
  labels: Record<string, string>;
  placement: ProxyPlacement;
  /** The proxy container itself (also present in one of the lists above). */
  proxy: V1Container;
}
