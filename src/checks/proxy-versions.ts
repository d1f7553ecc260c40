// The proxy-version checks shared by the control-plane-proxy and data-plane categories.
import { proxyVersion, type Pod } from './pods.js';
import { matchVersion, type Channels } from './versions.js';

/** Fails listing every running proxy whose version is not the latest of its channel. */
export async function checkProxiesUpToDate(
  latestChannels: () => Promise<Channels>,
  running: () => Promise<Pod[]>,
): Promise<void> {
  const channels = await latestChannels().catch(() => []);
  if (channels.length === 0) throw new Error('unable to determine version channel');
  const stale = (await running()).flatMap((pod) => {
    const version = proxyVersion(pod);
    try {
      matchVersion(version, channels);
      return [];
    } catch {
      return [`\n\t* ${pod.metadata?.name ?? ''} (${version})`];
    }
  });
  if (stale.length > 0) throw new Error(`some proxies are not running the current version:${stale.join('')}`);
}

/** Fails naming the first running proxy whose version differs from the CLI's. */
export async function checkProxiesMatchCli(cli: string, running: () => Promise<Pod[]>): Promise<void> {
  const odd = (await running()).find((pod) => proxyVersion(pod) !== cli);
  if (odd) throw new Error(`${odd.metadata?.name ?? ''} running ${proxyVersion(odd)} but cli running ${cli}`);
}
