import type { V1PodSpec } from '@kubernetes/client-node';
import type { Operation } from 'fast-json-patch';
import type { Values } from '../values/types.js';
import { applyConfigAnnotations, INHERITABLE_ANNOTATIONS, wantsDebugSidecar, type Warn } from './config-annotations.js';
import { inspectPod, type BuildSidecar } from './core.js';
import { isPlainObject, type JsonObject } from './json.js';
import { annotationsOnly, podChangesPatch, sidecarChanges } from './pod-changes.js';
import { reportOf } from './report.js';
import { checkObjectShape } from './shape.js';

const INJECT = 'linkerd.io/inject';
const OPAQUE_PORTS = 'config.linkerd.io/opaque-ports';
const ADDITIONAL_ENV = 'config.linkerd.io/proxy-additional-env';
const VALID_INJECT_VALUES = new Set(['', 'enabled', 'ingress', 'disabled']);
/** Owner kinds that get a `linkerd.io/proxy-<kind>` label from the webhook (inject.md §9.4). */
const LABELLED_OWNER_KINDS = new Set([
  'deployment',
  'replicationcontroller',
  'replicaset',
  'job',
  'daemonset',
  'statefulset',
]);

/** Why the webhook did not inject: the metric code and the readable text (inject.md §9.3). */
export interface SkipReason {
  code: string;
  message: string;
}

const REASONS = {
  hostNetwork: { code: 'host_network_enabled', message: 'hostNetwork is enabled' },
  sidecar: { code: 'sidecar_already_exists', message: 'pod has a sidecar injected already' },
  unsupported: { code: 'unsupported_resource', message: 'this resource kind is unsupported' },
  enableAbsent: {
    code: 'injection_enable_annotation_absent',
    message: 'neither the namespace nor the pod have the annotation "linkerd.io/inject:enabled"',
  },
  disablePresent: {
    code: 'injection_disable_annotation_present',
    message: 'pod has the annotation "linkerd.io/inject:disabled"',
  },
  invalidAtWorkload: {
    code: 'invalid_inject_annotation_at_workload',
    message: 'invalid value for annotation "linkerd.io/inject" at workload',
  },
  invalidAtNamespace: {
    code: 'invalid_inject_annotation_at_ns',
    message: 'invalid value for annotation "linkerd.io/inject" at namespace',
  },
  automount: {
    code: 'disabled_automount_service_account_token_account',
    message:
      'automountServiceAccountToken set to "false", with Values.identity.serviceAccountTokenProjection set to "false"',
  },
} as const satisfies Record<string, SkipReason>;

/** Everything the webhook knows about one admission request besides the object. */
export interface WebhookContext {
  /** `request.kind.kind`. */
  kind: string;
  /** `request.namespace`. */
  namespace: string;
  namespaceAnnotations: Readonly<Record<string, string>>;
  /** The pod's top-level owner (ReplicaSet resolved to its Deployment, Job to its CronJob). */
  owner?: { kind: string; name: string };
  /** linkerd-config values with the mounted trust roots applied. */
  values: Values;
  controlPlaneNamespace: string;
  /** `linkerd/proxy-injector <version>`. */
  createdBy: string;
  buildSidecar: BuildSidecar;
  warn?: Warn;
}

export interface WebhookDecision {
  /** Lower-cased kind and name (Pods fall back to `generateName`), for logs. */
  kind: string;
  name: string;
  injected: boolean;
  skipReasons: SkipReason[];
  /** Where `linkerd.io/inject` was found: the pod wins over the namespace. */
  annotationAt: 'workload' | 'namespace' | '';
  /** RFC 6902 operations against the object; empty = admit unchanged. */
  patch: Operation[];
}

function stringMap(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function metadataOf(obj: JsonObject): JsonObject {
  return isPlainObject(obj.metadata) ? obj.metadata : {};
}

/** Whether `port` is in a port list like `25,587,4000-4010` (entries that aren't ports are ignored). */
function inPortList(port: number, list: string): boolean {
  return list.split(',').some((raw) => {
    const entry = raw.trim();
    const range = /^(\d+)-(\d+)$/.exec(entry);
    if (range) return Number(range[1]) <= port && port <= Number(range[2]);
    return /^\d+$/.test(entry) && Number(entry) === port;
  });
}

function podContainerPorts(spec: JsonObject): number[] {
  const ports: number[] = [];
  for (const field of ['initContainers', 'containers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const cPorts = isPlainObject(c) ? c.ports : undefined;
      if (!Array.isArray(cPorts)) continue;
      for (const p of cPorts) if (isPlainObject(p) && typeof p.containerPort === 'number') ports.push(p.containerPort);
    }
  }
  return ports;
}

/** Service ports Linkerd marks opaque by default (inject.md §9.5): named target ports never count. */
function serviceOpaquePorts(spec: JsonObject, defaults: string): number[] {
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isPlainObject) : [];
  return ports
    .filter((p) => {
      if (typeof p.port !== 'number') return false;
      if (p.targetPort === undefined || p.targetPort === null) return inPortList(p.port, defaults);
      return typeof p.targetPort === 'number' && inPortList(p.targetPort, defaults);
    })
    .map((p) => p.port as number);
}

function defaultOpaquePorts(kind: string, obj: JsonObject, defaults: string): string {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const ports =
    kind === 'service'
      ? serviceOpaquePorts(spec, defaults)
      : podContainerPorts(spec).filter((p) => inPortList(p, defaults));
  return [...new Set(ports)].join(',');
}

/** The webhook's inject rule: namespace and pod `linkerd.io/inject` together (inject.md §9.3 step 2). */
function annotationReason(podValue: string, nsValue: string): SkipReason | undefined {
  if (!VALID_INJECT_VALUES.has(nsValue)) return REASONS.invalidAtNamespace;
  if (!VALID_INJECT_VALUES.has(podValue)) return REASONS.invalidAtWorkload;
  if (nsValue === 'enabled' || nsValue === 'ingress') {
    return podValue === 'disabled' ? REASONS.disablePresent : undefined;
  }
  return podValue === 'enabled' || podValue === 'ingress' ? undefined : REASONS.enableAbsent;
}

function podSkipReasons(pod: JsonObject, ctx: WebhookContext): SkipReason[] {
  const report = reportOf(pod);
  inspectPod(report, pod, ctx.values);
  const annotations = stringMap(metadataOf(pod).annotations);
  const reasons: SkipReason[] = [];
  if (report.hostNetwork) reasons.push(REASONS.hostNetwork);
  if (report.sidecar) reasons.push(REASONS.sidecar);
  const byAnnotation = annotationReason(annotations[INJECT] ?? '', ctx.namespaceAnnotations[INJECT] ?? '');
  if (byAnnotation) reasons.push(byAnnotation);
  if (report.automountDisabled) reasons.push(REASONS.automount);
  return reasons;
}

/** The full sidecar patch for an injectable pod (inject.md §9.3 step 3, §9.4). */
function injectionPatch(pod: JsonObject, ctx: WebhookContext): Operation[] {
  const metadata = metadataOf(pod);
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const podAnnotations = stringMap(metadata.annotations);
  const queued: Record<string, string> = { 'linkerd.io/created-by': ctx.createdBy };
  for (const key of [...INHERITABLE_ANNOTATIONS, INJECT]) {
    const inherited = ctx.namespaceAnnotations[key];
    if (inherited !== undefined && !Object.hasOwn(podAnnotations, key)) queued[key] = inherited;
  }
  if (!Object.hasOwn(podAnnotations, OPAQUE_PORTS) && !Object.hasOwn(queued, OPAQUE_PORTS)) {
    const ports = defaultOpaquePorts('pod', pod, ctx.values.proxy.opaquePorts);
    if (ports !== '') queued[OPAQUE_PORTS] = ports;
  }
  const effective = { ...podAnnotations, ...queued };
  const values = applyConfigAnnotations(
    ctx.values,
    effective,
    spec,
    ctx.warn,
    ctx.namespaceAnnotations[ADDITIONAL_ENV],
  );
  const ownerKind = ctx.owner?.kind.toLowerCase();
  const parts = ctx.buildSidecar({
    values,
    controlPlaneNamespace: ctx.controlPlaneNamespace,
    podNamespace: ctx.namespace,
    podSpec: spec as unknown as V1PodSpec,
    podMetadata: metadata,
    enableDebugSidecar: wantsDebugSidecar(effective),
    createdBy: ctx.createdBy,
    ...(ownerKind && LABELLED_OWNER_KINDS.has(ownerKind)
      ? { workload: { kind: ownerKind, name: ctx.owner!.name } }
      : {}),
  });
  return podChangesPatch(pod, sidecarChanges(parts, queued));
}

/** The opaque-ports annotation patch of non-injected pods and all Services (inject.md §9.5). */
export function opaquePortsPatch(kind: string, obj: JsonObject, ctx: WebhookContext): Operation[] {
  if (Object.hasOwn(stringMap(metadataOf(obj).annotations), OPAQUE_PORTS)) return [];
  const ports = ctx.namespaceAnnotations[OPAQUE_PORTS] ?? defaultOpaquePorts(kind, obj, ctx.values.proxy.opaquePorts);
  return ports === '' ? [] : podChangesPatch(obj, annotationsOnly({ [OPAQUE_PORTS]: ports }));
}

/** Decides what the proxy injector does with one admitted object and builds its patch. */
export function admitObject(obj: JsonObject, ctx: WebhookContext): WebhookDecision {
  // The API server decodes objects before admission, but a crafted review reaches us as raw JSON.
  checkObjectShape({ ...obj, kind: ctx.kind });
  const kind = ctx.kind.toLowerCase();
  const { name } = reportOf({ ...obj, kind });
  const podInject = stringMap(metadataOf(obj).annotations)[INJECT];
  const annotationAt =
    podInject !== undefined ? 'workload' : ctx.namespaceAnnotations[INJECT] !== undefined ? 'namespace' : '';
  const skipReasons = kind === 'pod' ? podSkipReasons(obj, ctx) : [REASONS.unsupported];
  if (skipReasons.length === 0) {
    return { kind, name, injected: true, skipReasons, annotationAt, patch: injectionPatch(obj, ctx) };
  }
  const patch = kind === 'pod' || kind === 'service' ? opaquePortsPatch(kind, obj, ctx) : [];
  return { kind, name, injected: false, skipReasons, annotationAt, patch };
}
