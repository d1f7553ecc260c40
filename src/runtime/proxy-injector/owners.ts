import type { KubeObject, OwnerReference } from '../../kube/types.js';
import type { EventTarget } from '../shared/events.js';

/** Looks up a ReplicaSet or Job by namespace and name (cache first, then the API). */
export type OwnerLookup = (kind: string, namespace: string, name: string) => Promise<KubeObject | undefined>;

function controllerOf(meta: { ownerReferences?: OwnerReference[] } | undefined): OwnerReference | undefined {
  const refs = meta?.ownerReferences ?? [];
  return refs.find((r) => r.controller === true) ?? refs[0];
}

function targetOf(ref: OwnerReference, namespace: string): EventTarget {
  return { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace, uid: ref.uid };
}

/**
 * The pod's top-level owner: its controller, and for a ReplicaSet or Job the controller of that in
 * turn (a Deployment or CronJob) when it has one. Undefined for bare pods.
 */
export async function topLevelOwner(
  pod: { metadata?: { ownerReferences?: OwnerReference[] } },
  namespace: string,
  lookup: OwnerLookup,
): Promise<EventTarget | undefined> {
  const direct = controllerOf(pod.metadata);
  if (direct === undefined) return undefined;
  if (direct.kind !== 'ReplicaSet' && direct.kind !== 'Job') return targetOf(direct, namespace);
  const parent = controllerOf((await lookup(direct.kind, namespace, direct.name))?.metadata);
  return targetOf(parent ?? direct, namespace);
}
