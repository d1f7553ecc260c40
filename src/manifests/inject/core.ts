import type { V1PodSpec } from '@kubernetes/client-node';
import type { Operation } from 'fast-json-patch';
import type { SidecarInput, SidecarParts } from '../sidecar/types.js';
import type { Values } from '../values/types.js';
import { applyConfigAnnotations, wantsDebugSidecar, type Warn } from './config-annotations.js';
import { isPlainObject, objectAt, type JsonObject } from './json.js';
import { podTemplatePath, workloadLabelKind } from './kinds.js';
import { annotationsOnly, applyPodChanges, podChangesPatch, sidecarChanges, type PodChanges } from './pod-changes.js';
import { reportOf, type ResourceReport } from './report.js';

export type BuildSidecar = (input: SidecarInput) => SidecarParts;

/** Everything the inject decision needs besides the object (inject.md §4). */
export interface InjectConfig {
  /** Emit the full sidecar (`--manual`) instead of the inject annotation. */
  manual: boolean;
  controlPlaneNamespace: string;
  /** Base values with the flags applied. */
  values: Values;
  /** Override annotations from the flags (inject.md §2.3). */
  overrides: Record<string, string>;
  enableDebugSidecar: boolean;
  /** `--close-wait-timeout` as a Go duration string, when non-zero. */
  closeWaitTimeout?: string;
  /** `linkerd.io/created-by` of manual injection. */
  createdBy: string;
  buildSidecar: BuildSidecar;
  warn?: Warn;
}

export interface InjectOutcome {
  value: JsonObject;
  changed: boolean;
  report: ResourceReport;
  /** The changes as a JSON Patch against the input object (empty when unchanged). */
  patch: Operation[];
}

/** Injection refused for a reason the user must fix (printed under `Error transforming resources:`). */
export class InjectRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InjectRefusedError';
  }
}

const SIDECAR_CONTAINERS = new Set(['linkerd-proxy', 'istio-proxy']);
const SIDECAR_INIT_CONTAINERS = new Set(['linkerd-init', 'istio-init']);
const SIDECAR_IMAGES = ['cr.l5d.io/linkerd/proxy:', 'gcr.io/istio-release/proxyv2:'];
const SIDECAR_INIT_IMAGES = ['cr.l5d.io/linkerd/proxy-init:', 'gcr.io/istio-release/proxy_init:'];
const CONTROL_PLANE_LABEL = 'linkerd.io/control-plane-component';

function stringMap(value: unknown): Record<string, string> {
  if (!isPlainObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function containersOf(spec: JsonObject, field: 'containers' | 'initContainers'): JsonObject[] {
  const list = spec[field];
  return Array.isArray(list) ? list.filter(isPlainObject) : [];
}

function hasImagePrefix(container: JsonObject, prefixes: readonly string[]): boolean {
  return typeof container.image === 'string' && prefixes.some((p) => (container.image as string).startsWith(p));
}

/** Fills the pod-related report fields (inject.md §7.1). */
export function inspectPod(report: ResourceReport, pod: JsonObject, values: Values): void {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const annotations = stringMap(isPlainObject(pod.metadata) ? pod.metadata.annotations : undefined);
  const ownProxyImage = `${values.proxy.image.name}:`;
  const containers = containersOf(spec, 'containers');
  const inits = containersOf(spec, 'initContainers');
  const proxyImages = [...SIDECAR_IMAGES, ownProxyImage];
  report.hostNetwork = spec.hostNetwork === true;
  report.sidecar =
    [...containers, ...inits].some((c) => SIDECAR_CONTAINERS.has(String(c.name)) || hasImagePrefix(c, proxyImages)) ||
    inits.some((c) => SIDECAR_INIT_CONTAINERS.has(String(c.name)) || hasImagePrefix(c, SIDECAR_INIT_IMAGES));
  report.injectDisabled = annotations['linkerd.io/inject'] === 'disabled';
  report.udp = containers.some(
    (c) => Array.isArray(c.ports) && c.ports.some((p) => isPlainObject(p) && p.protocol === 'UDP'),
  );
  report.automountDisabled =
    spec.automountServiceAccountToken === false && !values.identity.serviceAccountTokenProjection;
  report.injectable = !report.hostNetwork && !report.sidecar && !report.injectDisabled && !report.automountDisabled;
}

/** The reasons of a refusal, in Linkerd's order (automount, hostNetwork, sidecar, UDP). */
function refusalReasons(report: ResourceReport): string[] {
  const reasons: string[] = [];
  if (report.automountDisabled) {
    reasons.push(
      'automountServiceAccountToken set to "false", with Values.identity.serviceAccountTokenProjection set to "false"',
    );
  }
  if (report.hostNetwork) reasons.push('hostNetwork is enabled');
  if (report.sidecar) reasons.push('pod has a sidecar injected already');
  if (report.udp) reasons.push('UDP port(s) configured on pod spec');
  return reasons;
}

/** `/spec/template`-style JSON pointer of a path. */
function pointer(path: readonly string[]): string {
  return path.map((p) => `/${p}`).join('');
}

function unchanged(value: JsonObject, report: ResourceReport): InjectOutcome {
  return { value, changed: false, report, patch: [] };
}

/**
 * Decides and performs the CLI injection of one object (inject.md §4): the caller has already removed
 * a previous injection. Throws `InjectRefusedError` for hard refusals. Never mutates `input`.
 */
export function injectObject(input: JsonObject, config: InjectConfig): InjectOutcome {
  const kind = typeof input.kind === 'string' ? input.kind : '';
  const report = reportOf(input);
  const lower = kind.toLowerCase();
  if (lower === 'namespace')
    return annotateMetadata(input, report, { 'linkerd.io/inject': 'enabled', ...config.overrides });
  if (lower === 'service') {
    const opaque = config.overrides['config.linkerd.io/opaque-ports'];
    return opaque === undefined
      ? unchanged(input, report)
      : annotateMetadata(input, report, { 'config.linkerd.io/opaque-ports': opaque });
  }
  const path = podTemplatePath(kind);
  const pod = path === undefined ? undefined : objectAt(input, path);
  if (path === undefined || pod === undefined) return unchanged(input, report);

  const labels = stringMap(isPlainObject(pod.metadata) ? pod.metadata.labels : undefined);
  if (Object.hasOwn(labels, CONTROL_PLANE_LABEL) && !config.manual) {
    throw new InjectRefusedError('--manual must be set when injecting control plane components');
  }
  inspectPod(report, pod, config.values);
  if (!report.injectable) {
    const reasons = refusalReasons(report);
    // A workload that merely opted out (`linkerd.io/inject: disabled`) is skipped even with UDP ports.
    const hard = report.automountDisabled || report.hostNetwork || report.sidecar;
    if (hard) throw new InjectRefusedError(`failed to inject ${report.kind}/${report.name}: ${reasons.join(', ')}`);
    return unchanged(input, report);
  }

  const queued: Record<string, string> = { ...config.overrides };
  if (config.enableDebugSidecar) queued['config.linkerd.io/enable-debug-sidecar'] = 'true';
  if (config.closeWaitTimeout) queued['config.linkerd.io/close-wait-timeout'] = config.closeWaitTimeout;
  if (!config.manual && !config.values.proxy.isIngress) queued['linkerd.io/inject'] = 'enabled';

  const changes = config.manual ? manualChanges(input, pod, queued, config) : annotationsOnly(queued);
  const value = structuredClone(input);
  applyPodChanges(objectAt(value, path)!, changes);
  report.injected = true;
  report.annotated = Object.keys(config.overrides).length > 0;
  return { value, changed: true, report, patch: podChangesPatch(pod, changes, pointer(path)) };
}

function manualChanges(
  workload: JsonObject,
  pod: JsonObject,
  queued: Record<string, string>,
  config: InjectConfig,
): PodChanges {
  const metadata = isPlainObject(pod.metadata) ? pod.metadata : {};
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  // Flags win over what the template already says, so the proxy matches the annotations written.
  const effective = { ...stringMap(metadata.annotations), ...queued };
  const values = applyConfigAnnotations(config.values, effective, spec, config.warn);
  const workloadMeta = isPlainObject(workload.metadata) ? workload.metadata : {};
  const labelKind = workloadLabelKind(String(workload.kind));
  const parts = config.buildSidecar({
    values,
    controlPlaneNamespace: config.controlPlaneNamespace,
    podNamespace: typeof workloadMeta.namespace === 'string' ? workloadMeta.namespace : '',
    podSpec: spec as unknown as V1PodSpec,
    podMetadata: metadata,
    enableDebugSidecar: wantsDebugSidecar(effective),
    createdBy: config.createdBy,
    ...(labelKind ? { workload: { kind: labelKind, name: String(workloadMeta.name ?? '') } } : {}),
  });
  return sidecarChanges(parts, queued);
}

function annotateMetadata(
  input: JsonObject,
  report: ResourceReport,
  annotations: Record<string, string>,
): InjectOutcome {
  const value = structuredClone(input);
  applyPodChanges(value, annotationsOnly(annotations));
  report.annotated = true;
  report.injectable = true;
  return { value, changed: true, report, patch: podChangesPatch(input, annotationsOnly(annotations)) };
}
