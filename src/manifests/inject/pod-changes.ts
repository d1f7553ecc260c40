import type { Operation } from 'fast-json-patch';
import type { SidecarParts } from '../sidecar/types.js';
import { isPlainObject, type JsonObject } from './json.js';

/** Everything injection adds to one pod (template): the CLI applies it, the webhook sends it as a patch. */
export interface PodChanges {
  annotations: Record<string, string>;
  labels: Record<string, string>;
  /** Linkerd's init containers, before (`initContainersFirst`) or after the pod's own. */
  initContainers: unknown[];
  initContainersFirst: boolean;
  containersBefore: unknown[];
  containersAfter: unknown[];
  volumes: unknown[];
}

export function annotationsOnly(annotations: Record<string, string>): PodChanges {
  return {
    annotations,
    labels: {},
    initContainers: [],
    initContainersFirst: false,
    containersBefore: [],
    containersAfter: [],
    volumes: [],
  };
}

/** The sidecar's pod changes, with `annotations` queued by the caller laid over the sidecar's own. */
export function sidecarChanges(parts: SidecarParts, annotations: Record<string, string>): PodChanges {
  return {
    annotations: { ...parts.annotations, ...annotations },
    labels: parts.labels,
    initContainers: parts.initContainers,
    initContainersFirst: parts.initContainersFirst,
    containersBefore: parts.containersBefore,
    containersAfter: parts.containersAfter,
    volumes: parts.volumes,
  };
}

function sortedEntries(map: Record<string, string>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function ensureObject(holder: JsonObject, key: string): JsonObject {
  const cur = holder[key];
  if (isPlainObject(cur)) return cur;
  const created: JsonObject = {};
  holder[key] = created;
  return created;
}

function ensureArray(holder: JsonObject, key: string): unknown[] {
  const cur = holder[key];
  if (Array.isArray(cur)) return cur;
  const created: unknown[] = [];
  holder[key] = created;
  return created;
}

/** The object's `metadata`; one created goes before `spec`, where Linkerd (and kubectl) put it. */
function ensureMetadata(owner: JsonObject): JsonObject {
  const entries = Object.entries(owner);
  const specAt = entries.findIndex(([key]) => key === 'spec');
  if (isPlainObject(owner.metadata) || Object.hasOwn(owner, 'metadata') || specAt < 0)
    return ensureObject(owner, 'metadata');
  const created: JsonObject = {};
  entries.splice(specAt, 0, ['metadata', created]);
  for (const key of Object.keys(owner)) delete owner[key];
  Object.assign(owner, Object.fromEntries(entries));
  return created;
}

/** Applies `changes` to `pod` (an object with `metadata` and `spec`) in place. */
export function applyPodChanges(pod: JsonObject, changes: PodChanges): void {
  const hasMeta = Object.keys(changes.annotations).length > 0 || Object.keys(changes.labels).length > 0;
  if (hasMeta) {
    const meta = ensureMetadata(pod);
    if (Object.keys(changes.annotations).length > 0) {
      Object.assign(ensureObject(meta, 'annotations'), Object.fromEntries(sortedEntries(changes.annotations)));
    }
    if (Object.keys(changes.labels).length > 0) {
      Object.assign(ensureObject(meta, 'labels'), Object.fromEntries(sortedEntries(changes.labels)));
    }
  }
  const touchesSpec =
    changes.initContainers.length +
      changes.containersBefore.length +
      changes.containersAfter.length +
      changes.volumes.length >
    0;
  if (!touchesSpec) return;
  const spec = ensureObject(pod, 'spec');
  if (changes.initContainers.length > 0) {
    const own = ensureArray(spec, 'initContainers');
    spec.initContainers = changes.initContainersFirst
      ? [...changes.initContainers, ...own]
      : [...own, ...changes.initContainers];
  }
  if (changes.containersBefore.length + changes.containersAfter.length > 0) {
    spec.containers = [...changes.containersBefore, ...ensureArray(spec, 'containers'), ...changes.containersAfter];
  }
  if (changes.volumes.length > 0) spec.volumes = [...ensureArray(spec, 'volumes'), ...changes.volumes];
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The same changes as an RFC 6902 JSON Patch against `pod` at `prefix` (`''` for a Pod, `/spec/template`
 * for a workload), in Linkerd's op order (inject.md §9.4): maps created when missing, one `add` per
 * annotation and label (sorted), then lists, init containers, appended containers, volumes, and the
 * containers that go first.
 */
export function podChangesPatch(pod: JsonObject, changes: PodChanges, prefix = ''): Operation[] {
  const ops: Operation[] = [];
  const meta = pod.metadata;
  const metaExists = isPlainObject(meta);
  let metaCreated = false;
  const addMap = (field: 'annotations' | 'labels', entries: Record<string, string>): void => {
    if (Object.keys(entries).length === 0) return;
    if (!metaExists && !metaCreated) {
      ops.push({ op: 'add', path: `${prefix}/metadata`, value: {} });
      metaCreated = true;
    }
    if (!metaExists || !isPlainObject(meta[field]))
      ops.push({ op: 'add', path: `${prefix}/metadata/${field}`, value: {} });
    for (const [k, v] of sortedEntries(entries)) {
      ops.push({ op: 'add', path: `${prefix}/metadata/${field}/${escapePointer(k)}`, value: v });
    }
  };
  addMap('annotations', changes.annotations);
  addMap('labels', changes.labels);
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const specPath = `${prefix}/spec`;
  if (changes.volumes.length > 0 && !Array.isArray(spec.volumes))
    ops.push({ op: 'add', path: `${specPath}/volumes`, value: [] });
  if (changes.initContainers.length > 0 && !Array.isArray(spec.initContainers)) {
    ops.push({ op: 'add', path: `${specPath}/initContainers`, value: [] });
  }
  changes.initContainers.forEach((c, i) => {
    ops.push({ op: 'add', path: `${specPath}/initContainers/${changes.initContainersFirst ? i : '-'}`, value: c });
  });
  for (const c of changes.containersAfter) ops.push({ op: 'add', path: `${specPath}/containers/-`, value: c });
  for (const v of changes.volumes) ops.push({ op: 'add', path: `${specPath}/volumes/-`, value: v });
  changes.containersBefore.forEach((c, i) => ops.push({ op: 'add', path: `${specPath}/containers/${i}`, value: c }));
  return ops;
}
