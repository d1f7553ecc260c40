// Discovery through the destination controller (spec proxy §3.2, §5.3): GetProfile on the
// original destination names the service (or the single endpoint behind a pod IP), then
// Destination.Get on `<fqn>:<port>` streams its endpoints. Loaded lazily: static runs never
// load protobuf's runtime or HTTP/2.
import type { WeightedAddr } from '../../../proto/gen/destination_pb.js';
import { DestinationClient, type EndpointWatch as ClientEndpointWatch } from '../../clients/destination-client.js';
import { GrpcChannel } from '../../clients/grpc-channel.js';
import { tcpAddressToString } from '../../destination/net.js';
import type { ProxyConfig } from '../config/config.js';
import { cidrContains, controlDialAddress } from '../config/formats.js';
import type { Logger } from '../log.js';
import type { Discovery, Endpoint, EndpointWatch, Resolution } from './discovery.js';

export function toEndpoint(addr: WeightedAddr, labels: Record<string, string>): Endpoint | undefined {
  const text = tcpAddressToString(addr.addr);
  if (text === undefined) return undefined;
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(text);
  if (!m || !m[1] || !m[2]) return undefined;
  const strategy = addr.tlsIdentity?.strategy;
  const identity =
    strategy?.case === 'dnsLikeIdentity'
      ? strategy.value.name
      : strategy?.case === 'uriLikeIdentity'
        ? strategy.value.uri
        : undefined;
  // A URI identity without a server name cannot be used for SNI and is ignored (spec §5.3).
  const serverName = addr.tlsIdentity?.serverName?.name;
  const usable = identity !== undefined && (strategy?.case === 'dnsLikeIdentity' || serverName !== undefined);
  const hint = addr.protocolHint?.protocol.case;
  const opaquePort = addr.protocolHint?.opaqueTransport?.inboundPort;
  return {
    address: m[1],
    port: Number(m[2]),
    weight: addr.weight,
    tlsIdentity: usable ? identity : undefined,
    serverName: usable ? serverName : undefined,
    protocolHint: hint === 'h2' || hint === 'opaque' ? hint : undefined,
    opaqueTransportPort: opaquePort !== undefined && opaquePort >= 1 && opaquePort <= 65534 ? opaquePort : undefined,
    labels,
  };
}

export function destinationDiscovery(config: ProxyConfig, log: Logger): Discovery {
  const { control, context, profileNetworks } = config.destination;
  const channel = new GrpcChannel({
    address: controlDialAddress(control),
    ...(control.identity ? { tls: { ca: config.identity.trustAnchorsPem, serverName: control.identity } } : {}),
  });
  const client = new DestinationClient({ channel, contextToken: context });

  return {
    watch(authority: string): EndpointWatch {
      const listeners: Array<(r: Resolution) => void> = [];
      // The client shares one watch per authority; closing only detaches this listener.
      let detach = (): void => undefined;
      const ip = /^\[?(.*?)\]?:\d+$/.exec(authority)?.[1] ?? '';
      const port = authority.slice(authority.lastIndexOf(':') + 1);
      const first = (async (): Promise<Resolution> => {
        if (!profileNetworks.some((n) => cidrContains(n, ip))) return { kind: 'unknown' };
        const profileWatch = client.profile(authority);
        const profile = await Promise.race([
          profileWatch.ready(),
          new Promise<undefined>((r) =>
            profileWatch.once('error', (err) => {
              log.warn('linkerd_app_outbound::discover', 'GetProfile failed', { addr: authority, error: err.message });
              r(undefined);
            }),
          ),
        ]);
        log.debug('linkerd_app_outbound::discover', 'profile', {
          addr: authority,
          fqn: profile?.fullyQualifiedName ?? '',
        });
        if (!profile) return { kind: 'unknown' };
        const opaque = profile.opaqueProtocol;
        if (profile.fullyQualifiedName === '') {
          const ep = profile.endpoint ? toEndpoint(profile.endpoint, profile.endpoint.metricLabels) : undefined;
          return ep ? { kind: 'endpoints', endpoints: [ep], labels: {}, opaque } : { kind: 'unknown' };
        }
        const watch: ClientEndpointWatch = client.resolve(`${profile.fullyQualifiedName.replace(/\.$/, '')}:${port}`);
        const toResolution = (
          set: ReadonlyMap<string, { addr: WeightedAddr; labels: Record<string, string> }>,
        ): Resolution => ({
          kind: 'endpoints',
          endpoints: [...set.values()]
            .map((e) => toEndpoint(e.addr, e.labels))
            .filter((e): e is Endpoint => e !== undefined),
          labels: {},
          opaque,
        });
        const onUpdate = (set: ReadonlyMap<string, { addr: WeightedAddr; labels: Record<string, string> }>): void => {
          const r = toResolution(set);
          for (const l of listeners) l(r);
        };
        watch.on('update', onUpdate);
        detach = () => watch.off('update', onUpdate);
        // A service that cannot be resolved falls back to the original destination.
        const set = await Promise.race([
          watch.ready(),
          new Promise<undefined>((r) =>
            watch.once('error', (err) => {
              log.warn('linkerd_app_outbound::discover', 'Destination.Get failed', {
                addr: authority,
                error: err.message,
              });
              r(undefined);
            }),
          ),
        ]);
        return set ? toResolution(set) : { kind: 'unknown' };
      })();
      return {
        current: () => first,
        onUpdate: (l) => listeners.push(l),
        close: () => detach(),
      };
    },
    close: () => {
      client.close();
      channel.close();
    },
  };
}
