// Authorization under the default inbound policies (spec proxy §5.5), used for every port
// while no policy controller describes it.
import type { DefaultPolicy } from '../config/config.js';
import { type Cidr, cidrContains } from '../config/formats.js';

export interface Client {
  ip: string;
  /** mTLS identity; undefined for plaintext or anonymous TLS clients. */
  id: string | undefined;
}

export function defaultPolicyAllows(policy: DefaultPolicy, client: Client, clusterNetworks: readonly Cidr[]): boolean {
  const inCluster = (): boolean => clusterNetworks.some((n) => cidrContains(n, client.ip));
  switch (policy) {
    case 'all-unauthenticated':
    case 'audit':
      return true;
    case 'all-authenticated':
      return client.id !== undefined;
    case 'cluster-unauthenticated':
      return inCluster();
    case 'cluster-authenticated':
      return inCluster() && client.id !== undefined;
    case 'deny':
      return false;
  }
}
