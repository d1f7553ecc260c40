// l5d-proxy entry point: configuration, identity, listeners and shutdown (spec proxy §9.1).
import http from 'node:http';
import net from 'node:net';
import { L5D_VERSION } from '../../version.js';
import { handleAdmin } from './admin/admin.js';
import { ConfigError, type ProxyConfig, loadConfig } from './config/config.js';
import type { SocketAddr } from './config/formats.js';
import type { Discovery } from './discovery/discovery.js';
import { lazyDiscovery } from './discovery/lazy-discovery.js';
import { StaticDiscovery } from './discovery/static-discovery.js';
import type { IdentityProvider } from './identity/identity.js';
import { identityKeyMaterial } from './identity/key-material.js';
import { StaticIdentity } from './identity/static-identity.js';
import { Inbound } from './inbound/inbound.js';
import { Logger } from './log.js';
import { ProxyMetrics } from './metrics/proxy-metrics.js';
import { loadOrigDstAddon } from './net/orig-dst.js';
import { PendingConnections } from './net/pending.js';
import { formatHostPort as formatAddr } from '../shared/listen.js';
import { Outbound } from './outbound/outbound.js';
import { TRANSPORT_ALPN } from './protocol/transport-header.js';
import { MeshTls } from './tls/mesh-tls.js';

const EX_CONFIG = 64;

async function buildIdentity(config: ProxyConfig, log: Logger): Promise<IdentityProvider> {
  const { dir, localName, trustAnchorsPem } = config.identity;
  const key = await identityKeyMaterial(dir, localName);
  if (key.origin === 'generated') {
    log.info('linkerd_app::identity', 'Generated a new private key', { dir });
    if (key.persistError) log.warn('linkerd_app::identity', 'Key kept in memory only', { error: key.persistError });
  }
  if (config.staticIdentityCertFile) {
    return new StaticIdentity(localName, trustAnchorsPem, key.material.keyPem, config.staticIdentityCertFile);
  }
  const { certifyingIdentity } = await import('./identity/certify.js');
  return certifyingIdentity(config, key.material, log);
}

function buildDiscovery(config: ProxyConfig, log: Logger): Discovery {
  if (config.staticDiscoveryFile) return new StaticDiscovery(config.staticDiscoveryFile);
  return lazyDiscovery(async () => {
    const { destinationDiscovery } = await import('./discovery/destination.js');
    return destinationDiscovery(config, log);
  });
}

function listen(server: net.Server, addr: SocketAddr): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: addr.host, port: addr.port, ipv6Only: addr.host === '::' ? false : undefined }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: ProxyConfig;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`ERROR linkerd_app::env: ${p}\n`);
      process.stderr.write(`${err.message}\n`);
      process.exit(EX_CONFIG);
    }
    throw err;
  }
  const log = new Logger(config.log.filter, config.log.format);
  // One misbehaving connection must not take the whole proxy down.
  process.on('uncaughtException', (err) =>
    log.error('linkerd_proxy', 'unexpected error', { error: err.stack ?? err.message }),
  );
  loadOrigDstAddon();
  const metrics = new ProxyMetrics(L5D_VERSION, Math.floor(Date.now() / 1000 - process.uptime()));
  const identity = await buildIdentity(config, log);
  const discovery = buildDiscovery(config, log);
  const mesh = new MeshTls(identity, TRANSPORT_ALPN);
  identity.onUpdate((c) => {
    metrics.certificateInstalled(c.expiresAt);
    log.info('linkerd_app', 'Certified identity', { id: identity.localName });
  });
  const initial = identity.current();
  if (initial) metrics.certificateInstalled(initial.expiresAt);

  const localIps = new Set(config.inboundIps);
  const outbound = new Outbound(
    {
      detectTimeoutMs: config.outboundDetectTimeoutMs,
      failfastMs: config.outboundHttpFailfastMs,
      maxInFlight: config.maxInFlight.outbound,
      informationalHeaders: config.informationalHeaders,
      discoveryIdleMs: 5000,
    },
    discovery,
    { mesh, connectTimeoutMs: config.outboundConnectTimeoutMs, localIps },
    metrics,
    log,
  );
  const inbound = new Inbound(
    {
      listenPort: config.inboundListen.port,
      localName: config.identity.localName,
      inboundIps: config.inboundIps,
      opaquePorts: config.inboundOpaquePorts,
      detectTimeoutMs: config.inboundDetectTimeoutMs,
      connectTimeoutMs: config.inboundConnectTimeoutMs,
      maxInFlight: config.maxInFlight.inbound,
      defaultPolicy: config.defaultPolicy,
      clusterNetworks: config.clusterNetworks,
    },
    mesh,
    metrics,
    log,
  );

  let ready = identity.current() !== undefined;
  const open = new Set<net.Socket>();
  const pending = new PendingConnections();
  const acceptor = (handle: (s: net.Socket) => Promise<void>) => (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    const run = (): void =>
      void handle(socket).catch((err: unknown) => {
        log.warn('linkerd_proxy', 'connection failed', { error: (err as Error).message });
        socket.destroy();
      });
    if (ready) run();
    else if (!pending.hold(socket, run))
      log.debug('linkerd_proxy', 'connection refused: too many waiting for identity');
  };
  const outboundServers = config.outboundListen.map(() =>
    net.createServer(
      { pauseOnConnect: true, noDelay: true, allowHalfOpen: true },
      acceptor((s) => outbound.accept(s)),
    ),
  );
  const inboundServer = net.createServer(
    { pauseOnConnect: true, noDelay: true, allowHalfOpen: true },
    acceptor((s) => inbound.accept(s)),
  );

  let shuttingDown = false;
  const shutdown = (reason: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('linkerd_proxy::signal', reason);
    for (const s of [...outboundServers, inboundServer]) s.close();
    outbound.drain();
    inbound.drain();
    const deadline = setTimeout(
      () => {
        log.warn('linkerd_proxy', `Graceful shutdown did not complete in ${config.shutdownGraceMs}ms`);
        process.exit(0);
      },
      Math.min(config.shutdownGraceMs, 2 ** 31 - 1),
    );
    const check = setInterval(() => {
      if (open.size > 0) return;
      clearInterval(check);
      clearTimeout(deadline);
      outbound.close();
      inbound.close();
      discovery.close();
      identity.close();
      process.exit(0);
    }, 50);
  };

  const admin = http.createServer(
    handleAdmin({
      isReady: () => ready,
      renderMetrics: () => metrics.render(),
      log,
      env,
      shutdownEnabled: config.shutdownEndpointEnabled,
      shutdown: () => shutdown('received shutdown request, starting shutdown'),
    }),
  );

  try {
    await listen(admin, config.adminListen);
    await listen(inboundServer, config.inboundListen);
    for (const [i, s] of outboundServers.entries()) await listen(s, config.outboundListen[i] as SocketAddr);
  } catch (err) {
    log.error('linkerd_proxy', `Failed to bind: ${(err as Error).message}`);
    process.exit(1);
  }
  log.info('linkerd2_proxy', `Admin interface on ${formatAddr(config.adminListen.host, config.adminListen.port)}`);
  log.info(
    'linkerd2_proxy',
    `Inbound interface on ${formatAddr(config.inboundListen.host, config.inboundListen.port)}`,
  );
  log.info(
    'linkerd2_proxy',
    `Outbound interface on ${config.outboundListen.map((a) => formatAddr(a.host, a.port)).join(',')}`,
  );
  log.info('linkerd2_proxy', 'Tap DISABLED');
  log.info('linkerd2_proxy', `SNI is ${config.identity.localName}`);
  log.info('linkerd2_proxy', `Local identity is ${config.identity.localName}`);
  const dst = config.destination.control;
  log.info(
    'linkerd2_proxy',
    `Destinations resolved via ${formatAddr(dst.host, dst.port)} (${dst.identity ?? 'localhost'})`,
  );

  process.once('SIGTERM', () => shutdown('received SIGTERM, starting shutdown'));
  process.once('SIGINT', () => shutdown('received SIGINT, starting shutdown'));

  const waiting = setInterval(() => log.warn('linkerd_app', 'Waiting for identity to be initialized...'), 15_000);
  await identity.ready;
  clearInterval(waiting);
  ready = true;
  pending.release();
}
