import { Registry } from 'prom-client';
import { Destination } from '../../proto/gen/destination_pb.js';
import { L5D_VERSION } from '../../version.js';
import { startAdminServer } from '../shared/admin.js';
import { startGrpcServer } from '../shared/grpc-server.js';
import { checkAccess, connectKube } from '../shared/kube.js';
import {
  controllerLogger,
  fatal,
  keepServingOnUnexpectedErrors,
  onShutdown,
  parseControllerFlags,
} from '../shared/process.js';
import { ClusterState } from './cluster.js';
import type { DestinationConfig } from './config.js';
import { DESTINATION_FLAGS } from './flags.js';
import { parseHttp2Params } from './http2-params.js';
import { destinationMetrics } from './metrics.js';
import { parsePortList } from './ports.js';
import { destinationService } from './service.js';

export async function main(argv: readonly string[]): Promise<void> {
  const { values: flags } = parseControllerFlags(argv, DESTINATION_FLAGS);
  const log = controllerLogger('destination', flags['log-level'], flags['log-format']);
  keepServingOnUnexpectedErrors(log);
  log.info(`running version ${L5D_VERSION}`);
  const registry = new Registry();
  const admin = await startAdminServer(flags['metrics-addr'], registry);

  if (flags['enable-ipv6'] && !flags['enable-endpoint-slices']) {
    fatal(log, 'Failed to initialize destination service: --enable-ipv6=true requires --enable-endpoint-slices=true');
  }
  if (!flags['enable-endpoint-slices']) {
    fatal(log, 'l5d serves endpoints from EndpointSlices only: -enable-endpoint-slices=false is not supported');
  }
  if (flags['stream-queue-capacity'] <= 0) fatal(log, 'stream-queue-capacity must be greater than 0');
  let trustDomain = flags['identity-trust-domain'];
  if (trustDomain === '') {
    log.warn('expected trust domain to be set, defaulting to cluster.local');
    trustDomain = 'cluster.local';
  }
  let clusterDomain = flags['cluster-domain'];
  if (clusterDomain === '') {
    log.warn('expected cluster domain to be set, defaulting to cluster.local');
    clusterDomain = 'cluster.local';
  }
  const mode = flags['outbound-transport-mode'];
  if (mode !== 'transparent' && mode !== 'transport-header') {
    log.error(`unknown outbound-transport-mode ${mode}; using transparent`);
  }
  let meshedHttp2Params;
  try {
    meshedHttp2Params = parseHttp2Params(flags['meshed-http2-client-params']);
  } catch (err) {
    fatal(log, `Failed to parse meshed HTTP/2 client parameters: ${(err as Error).message}`);
  }
  const cfg: DestinationConfig = {
    controllerNamespace: flags['controller-namespace'],
    trustDomain,
    clusterDomain,
    defaultOpaquePorts: parsePortList(flags['default-opaque-ports'], undefined, (m) => log.warn(m)),
    enableH2Upgrade: flags['enable-h2-upgrade'],
    forceOpaqueTransport: mode === 'transport-header',
    enableIPv6: flags['enable-ipv6'],
    ...(meshedHttp2Params === undefined ? {} : { meshedHttp2Params }),
    extEndpointZoneWeights: flags['ext-endpoint-zone-weights'],
    streamQueueCapacity: flags['stream-queue-capacity'],
  };

  const kube = await connectKube(flags.kubeconfig);
  const access = await checkAccess(kube, { verb: 'list', group: '', resource: 'pods' }).catch((err: unknown) => ({
    allowed: false,
    reason: String(err),
  }));
  if (!access.allowed)
    fatal(log, `Failed to initialize destination service: not authorized to list pods: ${access.reason}`);
  const stop = new AbortController();
  const state = new ClusterState(kube, log, registry);
  state.run(stop.signal);
  const grpc = await startGrpcServer(
    flags.addr,
    (router) =>
      router.service(Destination, destinationService({ state, cfg, log, metrics: destinationMetrics(registry) })),
    registry,
  );
  log.info(`starting gRPC server on ${grpc.address.host}:${grpc.address.port}`);
  await state.synced();
  for (const inf of [state.profiles, state.servers]) {
    if (!inf.available) log.warn(`${inf.type.plural}.${inf.type.group} is not served; treating it as empty`);
  }
  admin.setReady(true);
  log.info('caches synced; ready');
  onShutdown(log, async () => {
    stop.abort();
    await grpc.close();
    await admin.close();
    await kube.close();
  });
}
