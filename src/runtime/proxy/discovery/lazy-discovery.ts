// Defers building a Discovery until the first lookup. Why: the destination client loads protobuf's
// runtime and the generated descriptors (~5 MiB of RSS), which a proxy that never sends outbound
// traffic to a profile network should not carry.
import type { Discovery, EndpointWatch } from './discovery.js';

export function lazyDiscovery(load: () => Promise<Discovery>): Discovery {
  let loaded: Promise<Discovery> | undefined;
  return {
    watch(authority: string): EndpointWatch {
      loaded ??= load();
      const inner = loaded.then((d) => d.watch(authority));
      // A discovery that failed to load fails every lookup through current(); the other paths
      // have nothing to attach to.
      const ignore = (): undefined => undefined;
      return {
        current: () => inner.then((w) => w.current()),
        onUpdate: (listener) => void inner.then((w) => w.onUpdate(listener), ignore),
        close: () => void inner.then((w) => w.close(), ignore),
      };
    },
    close: () =>
      void loaded?.then(
        (d) => d.close(),
        () => undefined,
      ),
  };
}
