import { parse as parseYaml } from 'yaml';
import { getRaw, type KubeApi } from './kube-api.js';

/** The parts of linkerd-config's `values` the checks read; everything is optional on the wire. */
export interface LinkerdConfigValues {
  linkerdVersion?: string;
  cniEnabled?: boolean;
  highAvailability?: boolean;
  disableHeartBeat?: boolean;
  clusterNetworks?: string;
  identityTrustAnchorsPEM?: string;
  proxyInit?: { runAsRoot?: boolean };
  identity?: { issuer?: { scheme?: string } };
}

export interface LinkerdConfig {
  uid: string;
  values: LinkerdConfigValues;
}

interface ConfigMap {
  metadata: { uid?: string };
  data?: Record<string, string>;
}

/** Reads `<ns>/linkerd-config` and its `values` YAML; a legacy `global` section is folded in. */
export async function readLinkerdConfig(
  kube: KubeApi,
  namespace: string,
  signal?: AbortSignal,
): Promise<LinkerdConfig> {
  const cm = await getRaw<ConfigMap>(kube, `/api/v1/namespaces/${namespace}/configmaps/linkerd-config`, signal);
  const parsed: unknown = parseYaml(cm.data?.values ?? '');
  const raw = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const { global, ...rest } = raw;
  const values = { ...(global !== null && typeof global === 'object' ? global : {}), ...rest } as LinkerdConfigValues;
  return { uid: cm.metadata.uid ?? '', values };
}
