import { readFile } from 'node:fs/promises';
import { Gauge, Registry } from 'prom-client';
import { L5D_VERSION } from '../../version.js';
import { startAdminServer } from '../shared/admin.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { checkClockSkewAllowance, checkIssuanceLifetime } from '../../util/issuance-bounds.js';
import type { Logger } from '../shared/log.js';
import { EventRecorder, type EventTarget } from '../shared/events.js';
import { startGrpcServer } from '../shared/grpc-server.js';
import { checkAccess, connectKube } from '../shared/kube.js';
import {
  controllerLogger,
  fatal,
  keepServingOnUnexpectedErrors,
  onShutdown,
  parseControllerFlags,
} from '../shared/process.js';
import { Identity } from '../../proto/gen/identity_pb.js';
import { IDENTITY_FLAGS } from './flags.js';
import { loadIssuer, type Issuer } from './issuer.js';
import { DEFAULT_VALIDITY, type Validity } from './leaf.js';
import { identityService } from './service.js';
import { isDns1123Label, isDns1123Subdomain, kubeTokenReviewer } from './token.js';
import { watchSecretMount } from './watch.js';
import { parseCertificateBundle } from './x509.js';

export async function main(argv: readonly string[]): Promise<void> {
  const { values: flags } = parseControllerFlags(argv, IDENTITY_FLAGS);
  const log = controllerLogger('identity', flags['log-level'], flags['log-format']);
  keepServingOnUnexpectedErrors(log);
  log.info(`running version ${L5D_VERSION}`);
  const validity = parseValidity(flags, log);
  const registry = new Registry();
  const admin = await startAdminServer(flags['admin-addr'], registry);

  let anchorsPem: string;
  try {
    anchorsPem = await readFile(flags['trust-anchors'], 'utf8');
  } catch (err) {
    fatal(log, `could not read identity trust anchors PEM: ${(err as Error).message}`);
  }
  const scheme = flags['identity-scheme'];
  const trustDomain = flags['identity-trust-domain'];
  const controllerNs = flags['controller-namespace'];
  if (scheme === '' || trustDomain === '') {
    log.info('Identity disabled in control plane configuration.');
    await admin.close();
    return;
  }
  if (!isDns1123Label(controllerNs) || !isDns1123Subdomain(trustDomain)) {
    fatal(log, `Invalid trust domain: ${controllerNs}.${trustDomain}`);
  }
  const suffix = `identity.${controllerNs}.${trustDomain}`;
  const anchors = parseCertificateBundle(anchorsPem);
  if (anchors.length === 0) fatal(log, 'Failed to read trust anchors: no certificates found');

  const kube = await connectKube(flags.kubeconfig);
  log.info(
    `Using k8s client with QPS=${flags['kube-apiclient-qps'].toFixed(2)} Burst=${flags['kube-apiclient-burst']}`,
  );
  const access = await checkAccess(kube, {
    verb: 'create',
    group: 'authentication.k8s.io',
    version: 'v1',
    resource: 'tokenreviews',
  }).catch((err: unknown) => ({ allowed: false, reason: String(err) }));
  if (!access.allowed) {
    fatal(log, `Failed to initialize identity service: Unable to create kubernetes token reviews: ${access.reason}`);
  }
  const events = new EventRecorder(kube, 'linkerd-identity', log);
  const deployment: EventTarget = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'linkerd-identity',
    namespace: controllerNs,
  };

  let issuer: Issuer | undefined;
  const load = async () => {
    const loaded = await loadIssuer(flags.issuer, scheme, anchors, suffix);
    const ttl = Math.floor((loaded.certificate.notAfter.getTime() - Date.now()) / 1000);
    log.info(
      {
        invalid_after: loaded.certificate.notAfter.toISOString(),
        process_clock_time: new Date().toISOString(),
        ttl_seconds: ttl,
      },
      'Issuer cert loaded',
    );
    return loaded;
  };
  try {
    issuer = await load();
  } catch (err) {
    fatal(log, `Failed to initialize identity service: ${(err as Error).message}`);
  }
  new Gauge({
    name: 'issuer_cert_ttl_seconds',
    help: 'The number of seconds until the issuer certificate expires',
    registers: [registry],
    collect() {
      if (issuer === undefined) {
        log.warn('issuer certificate is not loaded');
        this.set(0);
      } else {
        this.set(Math.floor((issuer.certificate.notAfter.getTime() - Date.now()) / 1000));
      }
    },
  });
  const watcher = watchSecretMount(
    flags.issuer,
    () => {
      load().then(
        (loaded) => {
          issuer = loaded;
          events.record(deployment, 'Normal', 'IssuerUpdated', 'Updated identity issuer');
        },
        (err: Error) => {
          log.warn(`Skipping issuer update as certs could not be read from disk: ${err.message}`);
          events.record(
            deployment,
            'Warning',
            'IssuerUpdateSkipped',
            `Skipping issuer update as certs could not be read from disk: ${err.message}`,
          );
        },
      );
    },
    (err) => log.error(`Received error from fs watcher: ${err.message}`),
  );

  const service = identityService({
    issuer: () => issuer,
    anchors,
    validity,
    review: kubeTokenReviewer(kube),
    trustDomainSuffix: suffix,
    onIssuerInvalid(err, identity) {
      events.record(deployment, 'Warning', 'IssuerValidationFailed', `${err.message} - CSR Identity : ${identity}`);
    },
    onIssued(identity, notAfter, sha256) {
      const message = `issued certificate for ${identity} until ${notAfter.toISOString()}: ${sha256}`;
      log.info(message);
      const [sa, ns] = identity.split('.');
      if (sa !== undefined && ns !== undefined) {
        events.record(
          { apiVersion: 'v1', kind: 'ServiceAccount', name: sa, namespace: ns },
          'Normal',
          'IssuedLeafCertificate',
          message,
        );
      }
    },
  });
  const grpc = await startGrpcServer(flags.addr, (router) => router.service(Identity, service), registry);
  log.info(`starting gRPC server on ${grpc.address.host}:${grpc.address.port}`);
  admin.setReady(true);
  onShutdown(log, async () => {
    watcher.close();
    await grpc.close();
    await admin.close();
    await kube.close();
  });
}

/**
 * The issuance timing from the flags. As upstream, an unparsable duration keeps the default with a
 * warning; a parsable one outside ISSUANCE_BOUNDS is fatal, since it would issue unusable leaves.
 */
function parseValidity(
  flags: { 'identity-issuance-lifetime': string; 'identity-clock-skew-allowance': string },
  log: Logger,
): Validity {
  const validity = { ...DEFAULT_VALIDITY };
  const lifetime = flags['identity-issuance-lifetime'];
  const skew = flags['identity-clock-skew-allowance'];
  if (lifetime !== '') {
    const ms = goDurationOrWarn(lifetime, 'Invalid issuance lifetime', log);
    if (ms !== undefined) validity.lifetimeMs = ms;
  }
  if (skew !== '') {
    const ms = goDurationOrWarn(skew, 'Invalid clock skew allowance', log);
    if (ms !== undefined) validity.clockSkewMs = ms;
  }
  try {
    checkIssuanceLifetime(validity.lifetimeMs);
    checkClockSkewAllowance(validity.clockSkewMs);
  } catch (err) {
    fatal(log, `Invalid issuance timing: ${(err as Error).message}`);
  }
  return validity;
}

function goDurationOrWarn(text: string, what: string, log: Logger): number | undefined {
  try {
    return parseGoDuration(text);
  } catch (err) {
    log.warn(`${what}: ${(err as Error).message}`);
    return undefined;
  }
}
