import { isPlainObject, objectAt, type JsonObject } from './json.js';
import { podTemplatePath, isMetadataOnlyKind } from './kinds.js';

/**
 * Containers and volumes Linkerd adds. Unlike upstream, `linkerd-debug`, `linkerd-network-validator`
 * and `linkerd-podinfo` go too, so re-injecting never duplicates them (inject.md §10 quirk 6).
 */
const LINKERD_INIT_CONTAINERS = new Set(['linkerd-init', 'linkerd-proxy', 'linkerd-network-validator']);
const LINKERD_CONTAINERS = new Set(['linkerd-proxy', 'linkerd-debug']);
const LINKERD_VOLUMES = new Set([
  'linkerd-identity-end-entity',
  'linkerd-proxy-init-xtables-lock',
  'linkerd-identity-token',
  'linkerd-podinfo',
]);
const CONTROL_PLANE_LABEL = 'linkerd.io/control-plane-component';

export interface UninjectResult {
  /** The object without Linkerd's additions (the input itself when nothing was removed). */
  value: JsonObject;
  /** A proxy or init container or a `linkerd.io` annotation was removed (the report's "uninjected"). */
  uninjected: boolean;
  changed: boolean;
}

/** Removes what injection added to one object (inject.md §8). Never mutates `input`. */
export function uninjectObject(input: JsonObject): UninjectResult {
  const kind = typeof input.kind === 'string' ? input.kind : '';
  const templatePath = podTemplatePath(kind);
  if (templatePath === undefined && !isMetadataOnlyKind(kind))
    return { value: input, uninjected: false, changed: false };
  const value = structuredClone(input);
  const metadata = stripMetadata(value);
  let uninjected = metadata.annotationRemoved;
  let changed = metadata.changed;
  if (templatePath !== undefined) {
    const pod = objectAt(value, templatePath);
    if (pod) {
      const podMeta = stripMetadata(pod);
      const podSpec = stripPodSpec(pod);
      uninjected ||= podMeta.annotationRemoved || podSpec.proxyRemoved;
      changed ||= podMeta.changed || podSpec.changed;
    }
  }
  return changed ? { value, uninjected, changed } : { value: input, uninjected: false, changed: false };
}

function stripMetadata(owner: JsonObject): { changed: boolean; annotationRemoved: boolean } {
  const meta = owner.metadata;
  if (!isPlainObject(meta)) return { changed: false, annotationRemoved: false };
  const labels = meta.labels;
  if (isPlainObject(labels) && Object.hasOwn(labels, CONTROL_PLANE_LABEL)) {
    return { changed: false, annotationRemoved: false };
  }
  const annotationRemoved = removeKeys(
    meta,
    'annotations',
    (k, v) => isLinkerdKey(k) && !(k === 'linkerd.io/inject' && v === 'disabled'),
  );
  const labelRemoved = removeKeys(meta, 'labels', (k) => isLinkerdKey(k));
  // A pod template whose metadata only held Linkerd's keys goes back to having none.
  if ((annotationRemoved || labelRemoved) && Object.keys(meta).length === 0 && owner.kind === undefined)
    delete owner.metadata;
  return { changed: annotationRemoved || labelRemoved, annotationRemoved };
}

function isLinkerdKey(key: string): boolean {
  return key.startsWith('linkerd.io');
}

/** Deletes matching entries of `holder[field]`; a map emptied by this is removed as well. */
function removeKeys(holder: JsonObject, field: string, drop: (key: string, value: unknown) => boolean): boolean {
  const map = holder[field];
  if (!isPlainObject(map)) return false;
  const doomed = Object.keys(map).filter((k) => drop(k, map[k]));
  for (const k of doomed) delete map[k];
  if (doomed.length > 0 && Object.keys(map).length === 0) delete holder[field];
  return doomed.length > 0;
}

function stripPodSpec(pod: JsonObject): { changed: boolean; proxyRemoved: boolean } {
  const spec = pod.spec;
  if (!isPlainObject(spec)) return { changed: false, proxyRemoved: false };
  const named = (names: Set<string>) => (item: unknown) => isPlainObject(item) && names.has(String(item.name));
  const initRemoved = removeItems(spec, 'initContainers', named(LINKERD_INIT_CONTAINERS));
  const containerRemoved = removeItems(spec, 'containers', named(LINKERD_CONTAINERS));
  const volumeRemoved = removeItems(spec, 'volumes', named(LINKERD_VOLUMES));
  return {
    changed: initRemoved || containerRemoved || volumeRemoved,
    proxyRemoved: initRemoved || containerRemoved,
  };
}

/** Filters `holder[field]`; a list emptied by this is removed (`containers` is required, so it stays). */
function removeItems(holder: JsonObject, field: string, drop: (item: unknown) => boolean): boolean {
  const list = holder[field];
  if (!Array.isArray(list)) return false;
  const kept = list.filter((item) => !drop(item));
  if (kept.length === list.length) return false;
  if (kept.length === 0 && field !== 'containers') delete holder[field];
  else holder[field] = kept;
  return true;
}
