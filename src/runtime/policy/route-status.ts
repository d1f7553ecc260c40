// Route status as the policy controller writes it (controllers.md §3.2): one parent entry per
// Service or Server parentRef, with Accepted and ResolvedRefs conditions. Pure.
import type { BackendRef, GrpcRoute, HttpRoute, ParentRef } from './k8s-types.js';
import { POLICY_GROUP } from './resources.js';

export const CONTROLLER_NAME = 'linkerd.io/policy-controller';

export interface Condition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface RouteParentStatus {
  parentRef: ParentRef;
  controllerName: string;
  conditions: Condition[];
}

export interface StatusSnapshot {
  hasService(namespace: string, name: string): boolean;
  hasServer(namespace: string, name: string): boolean;
}

export type Route = (HttpRoute | GrpcRoute) & { status?: { parents?: RouteParentStatus[] } };

const isServiceRef = (ref: { group?: string; kind?: string }) =>
  (ref.group === undefined || ref.group === '' || ref.group === 'core') && ref.kind === 'Service';
const isServerRef = (ref: ParentRef) => ref.group === POLICY_GROUP && ref.kind === 'Server';

function condition(
  type: string,
  ok: boolean,
  reason: string,
  now: string,
  generation: number | undefined,
  previous: Condition[] | undefined,
): Condition {
  const status = ok ? 'True' : 'False';
  const prior = previous?.find((c) => c.type === type && c.status === status && c.reason === reason);
  return {
    type,
    status,
    reason,
    message: '',
    lastTransitionTime: prior?.lastTransitionTime ?? now,
    ...(generation === undefined ? {} : { observedGeneration: generation }),
  };
}

function sameRef(a: ParentRef, b: ParentRef): boolean {
  return (
    (a.group ?? '') === (b.group ?? '') &&
    (a.kind ?? '') === (b.kind ?? '') &&
    a.name === b.name &&
    (a.namespace ?? '') === (b.namespace ?? '') &&
    (a.port ?? 0) === (b.port ?? 0)
  );
}

/** This controller's parent entries for `route`; parents of other kinds are not ours to report. */
export function desiredParents(route: Route, snap: StatusSnapshot, now: string): RouteParentStatus[] {
  const ns = route.metadata.namespace ?? '';
  const generation = route.metadata.generation;
  const backends: BackendRef[] = (route.spec?.rules ?? []).flatMap((r) => r.backendRefs ?? []);
  const resolved = backends
    .filter((b) => (b.kind ?? 'Service') === 'Service')
    .every((b) => snap.hasService(b.namespace ?? ns, b.name));
  const out: RouteParentStatus[] = [];
  for (const ref of route.spec?.parentRefs ?? []) {
    const service = isServiceRef(ref);
    if (!service && !isServerRef(ref)) continue;
    const parentNs = ref.namespace ?? ns;
    const exists = service ? snap.hasService(parentNs, ref.name) : snap.hasServer(parentNs, ref.name);
    const previous = route.status?.parents?.find(
      (p) => p.controllerName === CONTROLLER_NAME && sameRef(p.parentRef, ref),
    )?.conditions;
    out.push({
      parentRef: ref,
      controllerName: CONTROLLER_NAME,
      conditions: [
        condition('Accepted', exists, exists ? 'Accepted' : 'NoMatchingParent', now, generation, previous),
        condition('ResolvedRefs', resolved, resolved ? 'ResolvedRefs' : 'BackendNotFound', now, generation, previous),
      ],
    });
  }
  return out;
}

/** The full `status.parents` to write, or undefined when what is stored already says it. */
export function statusPatch(route: Route, desired: RouteParentStatus[]): RouteParentStatus[] | undefined {
  const current = route.status?.parents ?? [];
  const ours = current.filter((p) => p.controllerName === CONTROLLER_NAME);
  if (JSON.stringify(ours) === JSON.stringify(desired)) return undefined;
  if (ours.length === 0 && desired.length === 0) return undefined;
  return [...current.filter((p) => p.controllerName !== CONTROLLER_NAME), ...desired];
}
