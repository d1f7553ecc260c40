import { Registry } from 'prom-client';
import type { KubeObject } from '../../kube/types.js';
import { buildSidecar } from '../../manifests/sidecar/index.js';
import { L5D_VERSION } from '../../version.js';
import { Informer } from '../kube-cache/informer.js';
import { collectionPath, RESOURCES } from '../kube-cache/resource.js';
import { startAdminServer } from '../shared/admin.js';
import { EventRecorder } from '../shared/events.js';
import { keyPairIn, startWebhookServer } from '../shared/webhook-server.js';
import { connectKube } from '../shared/kube.js';
import {
  controllerLogger,
  fatal,
  keepServingOnUnexpectedErrors,
  onShutdown,
  parseControllerFlags,
} from '../shared/process.js';
import { handleAdmissionBody } from './admission.js';
import { PROXY_INJECTOR_FLAGS } from './flags.js';
import { injectorMetrics } from './metrics.js';
import { topLevelOwner } from './owners.js';
import { loadInjectorValues } from './values.js';

export async function main(argv: readonly string[]): Promise<void> {
  const { values: flags } = parseControllerFlags(argv, PROXY_INJECTOR_FLAGS);
  const log = controllerLogger('proxy-injector', flags['log-level'], flags['log-format']);
  keepServingOnUnexpectedErrors(log);
  log.info(`running version ${L5D_VERSION}`);
  const registry = new Registry();
  const admin = await startAdminServer(flags['metrics-addr'], registry);
  const kube = await connectKube(flags.kubeconfig).catch((err: unknown) =>
    fatal(log, `failed to initialize Kubernetes client: ${(err as Error).message}`),
  );

  const stop = new AbortController();
  const make = (type: (typeof RESOURCES)[keyof typeof RESOURCES]) => new Informer<KubeObject>(kube, type, { log });
  const namespaces = make(RESOURCES.namespaces);
  const owners: Record<string, Informer<KubeObject>> = {
    ReplicaSet: make(RESOURCES.replicaSets),
    Job: make(RESOURCES.jobs),
  };
  const informers = [namespaces, ...Object.values(owners)];
  for (const inf of informers) void inf.run(stop.signal);

  const events = new EventRecorder(kube, 'linkerd-proxy-injector', log);
  const metrics = injectorMetrics(registry);
  const handle = (body: string) =>
    handleAdmissionBody(body, {
      loadValues: () => loadInjectorValues(flags['config-dir'], flags['trust-roots-dir']),
      namespaceAnnotations: (name) => {
        const ns = namespaces.get('', name);
        return ns === undefined ? undefined : (ns.metadata.annotations ?? {});
      },
      ownerOf: (pod, namespace) =>
        topLevelOwner(pod, namespace, async (kind, ns, name) => {
          const owner = owners[kind];
          if (owner === undefined) return undefined;
          return owner.get(ns, name) ?? kube.getOptional<KubeObject>(`${collectionPath(owner.type, ns)}/${name}`);
        }),
      controlPlaneNamespace: flags['linkerd-namespace'],
      createdBy: `linkerd/proxy-injector ${L5D_VERSION}`,
      buildSidecar,
      metrics,
      recordEvent: (target, reason, message) => events.record(target, 'Normal', reason, message),
      log,
    });
  let server;
  try {
    server = await startWebhookServer(flags.addr, keyPairIn(flags['tls-dir']), handle, log);
  } catch (err) {
    fatal(log, `failed to start webhook server: ${(err as Error).message}`);
  }
  log.info(`listening at ${server.address.host}:${server.address.port}`);
  const webhook = server;
  onShutdown(log, async () => {
    stop.abort();
    await webhook.close();
    await admin.close();
    await kube.close();
  });
  await Promise.all(informers.map((inf) => inf.synced));
  admin.setReady(true);
  log.info('caches synced; ready');
}
