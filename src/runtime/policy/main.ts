import { Registry } from 'prom-client';
import type { KubeList } from '../../kube/types.js';
import { collectionPath } from '../kube-cache/resource.js';
import { InboundServerPolicies } from '../../proto/gen/inbound_pb.js';
import { OutboundPolicies } from '../../proto/gen/outbound_pb.js';
import { L5D_VERSION } from '../../version.js';
import { startAdminServer } from '../shared/admin.js';
import { optionsOrExit } from '../shared/clap-command-line.js';
import { startGrpcServer } from '../shared/grpc-server.js';
import { checkAccess, connectKube } from '../shared/kube.js';
import { controllerLogger, fatal, keepServingOnUnexpectedErrors, onShutdown } from '../shared/process.js';
import { startWebhookServer, type WebhookServer } from '../shared/webhook-server.js';
import { parsePortList } from '../destination/ports.js';
import { handlePolicyReview } from './admission.js';
import { parseCidrList, type Cidr } from './cidr.js';
import { isDefaultPolicy, type DefaultPolicy } from './default-policy.js';
import { logLevelOf, parsePolicyArgs, POLICY_USAGE } from './flags.js';
import { PolicyIndex } from './index.js';
import type { Server } from './k8s-types.js';
import { POLICY_RESOURCES } from './resources.js';
import { inboundService } from './inbound-service.js';
import { outboundService } from './outbound-service.js';
import { runLeaseLoop, type LeaseOptions } from './lease.js';
import { StatusWriter } from './status-writer.js';

const STREAM_CAPACITY = 100;

export async function main(argv: readonly string[]): Promise<void> {
  const parsed = optionsOrExit(() => parsePolicyArgs(argv), { name: 'linkerd-policy-controller', usage: POLICY_USAGE });
  if ('exit' in parsed) process.exit(parsed.exit);
  const opts = parsed.options;
  const log = controllerLogger('policy', logLevelOf(opts.logLevel), opts.logFormat);
  keepServingOnUnexpectedErrors(log);
  log.info(`running version ${L5D_VERSION}`);
  const defaultPolicy: DefaultPolicy = isDefaultPolicy(opts.defaultPolicy)
    ? opts.defaultPolicy
    : fatal(log, `invalid default policy: ${opts.defaultPolicy}`);
  let clusterNetworks: Cidr[];
  let probeNetworks: Cidr[];
  try {
    clusterNetworks = parseCidrList(opts.clusterNetworks);
    probeNetworks = parseCidrList(opts.probeNetworks);
  } catch (err) {
    fatal(log, (err as Error).message);
  }
  const identity = { identityDomain: opts.identityDomain, controlPlaneNamespace: opts.controlPlaneNamespace };
  const registry = new Registry();
  const admin = await startAdminServer(opts.adminAddr, registry);
  const kube = await connectKube(opts.kubeconfig).catch((err: unknown) =>
    fatal(log, `failed to initialize Kubernetes client: ${(err as Error).message}`),
  );
  // The chart grants no access to Namespaces; their annotation is read only where allowed.
  const nsAccess = await checkAccess(kube, { verb: 'watch', group: '', resource: 'namespaces' }).catch(() => ({
    allowed: false,
    reason: '',
  }));
  const index = new PolicyIndex(kube, log, { watchNamespaces: nsAccess.allowed }, registry);
  const stop = new AbortController();
  index.run(stop.signal);

  const grpc = await startGrpcServer(
    opts.grpcAddr,
    (router) => {
      router.service(
        InboundServerPolicies,
        inboundService({
          index,
          cfg: { ...identity, clusterNetworks, probeNetworks, defaultPolicy },
          log,
          streamCapacity: STREAM_CAPACITY,
        }),
      );
      router.service(
        OutboundPolicies,
        outboundService({
          index,
          cfg: {
            clusterDomain: opts.clusterDomain,
            clusterNetworks,
            defaultOpaquePorts: parsePortList(opts.defaultOpaquePorts, undefined, (m) => log.warn(m)),
            allowL5dRequestHeaders: opts.allowL5dRequestHeaders,
          },
          log,
          streamCapacity: STREAM_CAPACITY,
        }),
      );
    },
    registry,
  );
  log.info(`gRPC server listening on ${grpc.address.host}:${grpc.address.port}`);

  let webhook: WebhookServer | undefined;
  if (!opts.admissionControllerDisabled) {
    try {
      webhook = await startWebhookServer(
        opts.serverAddr,
        { cert: opts.serverTlsCerts, key: opts.serverTlsKey },
        (body) =>
          handlePolicyReview(body, {
            log,
            listServers: (ns) =>
              kube
                .request<KubeList<Server>>({ path: collectionPath(POLICY_RESOURCES.servers, ns) })
                .then((list) => list.items)
                .catch(() => index.servers(ns)),
          }),
        log,
        { rootPostOnly: true },
      );
    } catch (err) {
      fatal(log, `failed to start admission server: ${(err as Error).message}`);
    }
    log.info(`admission server listening on ${webhook.address.host}:${webhook.address.port}`);
  }
  onShutdown(log, async () => {
    stop.abort();
    await grpc.close();
    await webhook?.close();
    await admin.close();
    await kube.close();
  });
  await index.synced();
  for (const inf of index.informers()) {
    if (!inf.available) log.warn(`${inf.type.plural}.${inf.type.group} is not served; treating it as empty`);
  }
  admin.setReady(true);
  log.info('caches synced; ready');
  const writer = new StatusWriter(kube, index, log);
  runLeaseLoop(
    kube,
    await leaseOptions(kube, opts.controlPlaneNamespace, opts.policyDeploymentName),
    log,
    stop.signal,
    (leader) => writer.setLeader(leader),
  );
}

/** The Lease's holder is this pod (HOSTNAME); its owner the policy Deployment when it exists. */
async function leaseOptions(
  kube: Awaited<ReturnType<typeof connectKube>>,
  namespace: string,
  deployment: string,
): Promise<LeaseOptions> {
  const identity = process.env.HOSTNAME ?? `l5d-policy-${process.pid}`;
  const owner = await kube
    .getOptional<{ metadata: { uid?: string } }>(`/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`)
    .catch(() => undefined);
  const uid = owner?.metadata.uid;
  return {
    namespace,
    identity,
    ...(uid === undefined ? {} : { owner: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, uid } }),
  };
}
