import type { ObjectMeta } from '../kube/types.js';
import { UNINSTALL_KINDS } from './kinds.js';

export const CONTROL_PLANE_NS_LABEL = 'linkerd.io/control-plane-ns';
export const EXTENSION_LABEL = 'linkerd.io/extension';

/** The only cluster access `uninstall` needs: list a collection by label selector. */
export interface UninstallLister {
  list(path: string, labelSelector: string): Promise<{ metadata: ObjectMeta }[]>;
}

/** What `kubectl delete -f -` needs to find an object, and nothing more. */
export interface ResourceStub {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/**
 * Reasons the control plane cannot be removed yet: installed extensions, then meshed pods outside
 * the control-plane namespace and outside extension namespaces (those go with their extension).
 * Each reason is a complete message block; empty when uninstalling is safe.
 */
export async function findBlockers(lister: UninstallLister, controlPlaneNamespace: string): Promise<string[]> {
  const [extensionNamespaces, meshedPods] = await Promise.all([
    lister.list('/api/v1/namespaces', EXTENSION_LABEL),
    lister.list('/api/v1/pods', CONTROL_PLANE_NS_LABEL),
  ]);
  const skipped = new Set([controlPlaneNamespace, ...extensionNamespaces.map((ns) => ns.metadata.name)]);
  const injected = meshedPods.filter((pod) => !skipped.has(pod.metadata.namespace));
  const blockers: string[] = [];
  if (extensionNamespaces.length > 0) {
    blockers.push(
      bulleted(
        'Please uninstall the following extensions before uninstalling the control-plane:',
        extensionNamespaces.map((ns) => ns.metadata.labels?.[EXTENSION_LABEL] ?? ''),
      ),
    );
  }
  if (injected.length > 0) {
    blockers.push(
      bulleted(
        'Please uninject the following pods before uninstalling the control-plane:',
        injected.map((pod) => pod.metadata.name ?? ''),
      ),
    );
  }
  return blockers;
}

/** Every object labelled as part of a Linkerd install, in deletion order. */
export async function listInstalledResources(lister: UninstallLister): Promise<ResourceStub[]> {
  const perKind = await Promise.all(
    UNINSTALL_KINDS.map(async (k) =>
      (await lister.list(k.listPath, CONTROL_PLANE_NS_LABEL)).map((o): ResourceStub => ({
        apiVersion: k.apiVersion,
        kind: k.kind,
        metadata: { name: o.metadata.name ?? '', ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
      })),
    ),
  );
  return perKind.flat();
}

function bulleted(heading: string, items: readonly string[]): string {
  return `${heading}\n${items.map((item) => `\t* ${item}\n`).join('')}`;
}
