import { chartVersionOf } from '../../version.js';
import { decideGatewayApi, detectGatewayApi, GatewayApiDecisionError, renderCrds } from '../crds/index.js';
import { validateIssuerCredentials } from '../certs/validate.js';
import { toJsonLines, toYamlStream } from '../yaml/emit.js';
import { cliCreatedBy, defaultValues } from '../values/defaults.js';
import { readValueFlags, type ValueFlags } from '../values/helm-values.js';
import { deepMerge } from '../values/merge.js';
import type { Values, ValuesTree } from '../values/types.js';
import type { KubeClient } from '../../kube/client.js';
import { checkExternalIssuerFlags, valuesFromFlags, type InstallFlags } from './flags.js';
import { renderInstallManifest } from './manifest.js';
import {
  checkCrdsInstalled,
  checkEndpointSlices,
  checkNoDockerNodes,
  checkNotInstalled,
  connectFailureMessage,
  InstallRefusal,
  kubeApiServerPorts,
  type ClusterReader,
} from './prechecks.js';

export type OutputFormat = 'yaml' | 'json';

export interface InstallRequest {
  namespace: string;
  version: string;
  now: Date;
  flags: InstallFlags;
  valueFlags: ValueFlags;
  ignoreCluster: boolean;
  output: string;
  /** Connects to the cluster (KubeClient.connect in the CLI, a fake in tests). */
  connect: () => Promise<ClusterReader & Pick<KubeClient, 'close'>>;
  /** Applies the proxy flags (shared with inject) on the values; identity when none are set. */
  applyProxyFlags?: (values: Values) => Values;
}

export interface InstallResult {
  stdout: string;
  stderr: string;
}

export function checkOutputFormat(output: string): OutputFormat {
  if (output !== 'yaml' && output !== 'json') throw new Error(`unsupported format ${output}`);
  return output;
}

function serialize(
  objects: readonly unknown[],
  banners: readonly (string | undefined)[],
  format: OutputFormat,
): string {
  return format === 'json' ? toJsonLines(objects) : toYamlStream(objects, banners);
}

async function connectOrRefuse(req: InstallRequest): Promise<ClusterReader & Pick<KubeClient, 'close'>> {
  try {
    const client = await req.connect();
    await client.request({ path: '/version' });
    return client;
  } catch (err) {
    throw new InstallRefusal(connectFailureMessage(err));
  }
}

/** `install --crds` (install.md §2.1). */
export async function runInstallCrds(req: InstallRequest): Promise<InstallResult> {
  const format = checkOutputFormat(req.output);
  const overrides = await readValueFlags(req.valueFlags);
  let state: Parameters<typeof decideGatewayApi>[0] = 'unknown';
  let missingV1: string[] = [];
  if (!req.ignoreCluster) {
    const client = await connectOrRefuse(req);
    try {
      await checkNotInstalled(client, req.namespace);
      const detection = await detectGatewayApi(client as unknown as KubeClient);
      state = detection.state;
      missingV1 = detection.externalMissingV1;
    } finally {
      await client.close();
    }
  }
  const selection = decideGatewayApi(state, missingV1, overrides as Parameters<typeof decideGatewayApi>[2]);
  if (selection instanceof GatewayApiDecisionError) throw new InstallRefusal(selection.message);
  const crds = renderCrds({
    gatewayApi: selection,
    controlPlaneNamespace: req.namespace,
    createdBy: cliCreatedBy(req.version),
    chartVersion: chartVersionOf(req.version),
  });
  return {
    stdout: serialize(crds, [], format),
    stderr: 'Rendering Linkerd CRDs...\nNext, run `l5d install | kubectl apply -f -` to install the control plane.\n\n',
  };
}

interface SecretView {
  data?: Record<string, string>;
}

const EXTERNAL_ISSUER_KEYS: [string, string][] = [
  ['ca.crt', 'trust anchors'],
  ['tls.crt', 'issuer certificate'],
  ['tls.key', 'issuer key'],
];

/** `--identity-external-issuer`: anchors come from the existing issuer Secret, whose credentials must validate. */
async function externalIssuerAnchors(cluster: ClusterReader, namespace: string, now: Date): Promise<string> {
  const secret = await cluster.getOptional<SecretView>(
    `/api/v1/namespaces/${namespace}/secrets/linkerd-identity-issuer`,
  );
  const decoded: Record<string, string> = {};
  for (const [key, what] of EXTERNAL_ISSUER_KEYS) {
    const value = secret?.data?.[key];
    if (!value) {
      throw new Error(
        `key ${key} containing the ${what} needs to exist in secret linkerd-identity-issuer if --identity-external-issuer=true`,
      );
    }
    decoded[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  validateIssuerCredentials(
    {
      trustAnchorsPEM: decoded['ca.crt'] ?? '',
      issuerCrtPEM: decoded['tls.crt'] ?? '',
      issuerKeyPEM: decoded['tls.key'] ?? '',
    },
    now,
  );
  return decoded['ca.crt'] ?? '';
}

function runsAsRoot(overrides: ValuesTree): boolean {
  const proxyInit = overrides.proxyInit as ValuesTree | undefined;
  return proxyInit?.runAsRoot === true;
}

/** `install` (install.md §3.1): cluster pre-checks unless --ignore-cluster, then the manifest. */
export async function runInstall(req: InstallRequest): Promise<InstallResult> {
  const format = checkOutputFormat(req.output);
  checkExternalIssuerFlags({ ...req.flags, 'ignore-cluster': req.ignoreCluster });
  const client = req.ignoreCluster ? undefined : await connectOrRefuse(req);
  try {
    if (client) await checkCrdsInstalled(client);
    let values = valuesFromFlags(defaultValues(req.version), req.flags);
    if (req.applyProxyFlags) values = req.applyProxyFlags(values);
    if (client) await checkNotInstalled(client, req.namespace);
    const overrides = await readValueFlags(req.valueFlags);
    if (client) {
      if (!runsAsRoot(overrides)) await checkNoDockerNodes(client);
      const ports = await kubeApiServerPorts(client);
      if (ports) values = deepMerge(values, { proxyInit: { kubeAPIServerPorts: ports } });
    }
    values = deepMerge(values, overrides);
    if (client && values.enableEndpointSlices) await checkEndpointSlices(client);
    if (client && values.identity.issuer.scheme === 'kubernetes.io/tls') {
      values = { ...values, identityTrustAnchorsPEM: await externalIssuerAnchors(client, req.namespace, req.now) };
    }
    const manifest = await renderInstallManifest(values, {
      namespace: req.namespace,
      now: req.now,
      createdBy: cliCreatedBy(req.version),
    });
    return { stdout: serialize(manifest.objects, manifest.banners, format), stderr: '' };
  } finally {
    await client?.close();
  }
}
