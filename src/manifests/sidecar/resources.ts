import type { V1ResourceRequirements } from '@kubernetes/client-node';
import type { ResourcesValues } from '../values/types.js';

const DIMENSIONS = ['cpu', 'memory', 'ephemeral-storage'] as const;

/** Container resources from a values block; only configured (non-empty) quantities appear. */
export function containerResources(resources: ResourcesValues | null | undefined): V1ResourceRequirements | undefined {
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  for (const dim of DIMENSIONS) {
    const q = resources?.[dim];
    if (q?.limit) limits[dim] = String(q.limit);
    if (q?.request) requests[dim] = String(q.request);
  }
  const out: V1ResourceRequirements = {};
  if (Object.keys(limits).length > 0) out.limits = limits;
  if (Object.keys(requests).length > 0) out.requests = requests;
  return Object.keys(out).length > 0 ? out : undefined;
}
