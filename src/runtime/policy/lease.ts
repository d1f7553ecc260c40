// Leadership for status writes: the coordination.k8s.io Lease `policy-controller-write`
// (controllers.md §3.1), held for 30 s and renewed while this replica runs.
import type { KubeClient } from '../../kube/client.js';
import { KubeApiError } from '../../kube/errors.js';
import type { Logger } from '../shared/log.js';

export const LEASE_NAME = 'policy-controller-write';
export const LEASE_SECONDS = 30;
const FIELD_MANAGER = 'policy-controller';

interface Lease {
  metadata: { resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; leaseTransitions?: number };
}

export interface LeaseOptions {
  namespace: string;
  identity: string;
  /** The Deployment the Lease is owned by (garbage-collected with it), when it exists. */
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
}

const now = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** Whether this replica may take or keep the Lease as it stands. */
export function mayHold(lease: Lease | undefined, identity: string, at: number): boolean {
  const spec = lease?.spec;
  if (spec?.holderIdentity === undefined || spec.holderIdentity === '' || spec.holderIdentity === identity) return true;
  const renewed = Date.parse(spec.renewTime ?? '');
  return !Number.isFinite(renewed) || renewed + (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 < at;
}

/** One claim attempt; resolves to whether this replica holds the Lease afterwards. */
export async function claimLease(kube: KubeClient, opts: LeaseOptions): Promise<boolean> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases/${LEASE_NAME}`;
  const current = await kube.getOptional<Lease>(path);
  if (current === undefined) {
    try {
      await kube.request({
        method: 'POST',
        path: `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`,
        query: { fieldManager: FIELD_MANAGER },
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: LEASE_NAME,
            namespace: opts.namespace,
            ...(opts.owner === undefined ? {} : { ownerReferences: [opts.owner] }),
          },
          spec: {
            holderIdentity: opts.identity,
            leaseDurationSeconds: LEASE_SECONDS,
            acquireTime: now(),
            renewTime: now(),
            leaseTransitions: 0,
          },
        },
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 409) return false;
      throw err;
    }
  }
  if (!mayHold(current, opts.identity, Date.now())) return false;
  const takeover = current.spec?.holderIdentity !== opts.identity;
  try {
    await kube.request({
      method: 'PATCH',
      path,
      contentType: 'application/merge-patch+json',
      query: { fieldManager: FIELD_MANAGER },
      body: {
        // The resourceVersion makes the patch fail if another replica wrote the Lease meanwhile.
        metadata: { resourceVersion: current.metadata.resourceVersion },
        spec: {
          holderIdentity: opts.identity,
          leaseDurationSeconds: LEASE_SECONDS,
          renewTime: now(),
          ...(takeover ? { acquireTime: now(), leaseTransitions: (current.spec?.leaseTransitions ?? 0) + 1 } : {}),
        },
      },
    });
    return true;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 409) return false;
    throw err;
  }
}

/** Keeps claiming every 10 s until `signal` aborts; reports leadership changes. */
export function runLeaseLoop(
  kube: KubeClient,
  opts: LeaseOptions,
  log: Logger,
  signal: AbortSignal,
  onChange: (leader: boolean) => void,
): void {
  let leader = false;
  const tick = () => {
    if (signal.aborted) return;
    claimLease(kube, opts)
      .catch((err: unknown) => {
        log.warn({ err: String(err) }, 'failed to claim the status lease');
        return false;
      })
      .then(
        (held) => {
          if (held !== leader) {
            leader = held;
            log.info(held ? 'became the status writer' : 'no longer the status writer');
            onChange(held);
          }
          if (!signal.aborted) setTimeout(tick, 10_000).unref();
        },
        () => undefined,
      );
  };
  tick();
}
