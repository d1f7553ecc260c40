// The policy controller's command line: GNU long options as the Rust binary takes them
// (controllers.md §3.1), with clap's help, version and usage errors.
import { parseArgs, UsageError, type Invocation, type OptionSpec } from '../shared/clap-command-line.js';

export interface PolicyOptions {
  adminAddr: string;
  grpcAddr: string;
  serverAddr: string;
  serverTlsKey: string;
  serverTlsCerts: string;
  admissionControllerDisabled: boolean;
  clusterNetworks: string;
  identityDomain: string;
  clusterDomain: string;
  defaultPolicy: string;
  policyDeploymentName: string;
  controlPlaneNamespace: string;
  probeNetworks: string;
  defaultOpaquePorts: string;
  patchTimeoutMs: number;
  allowL5dRequestHeaders: boolean;
  globalEgressNetworkNamespace: string;
  logLevel: string;
  logFormat: string;
  kubeconfig: string;
}

const VALUES: Record<keyof PolicyOptions, string> = {
  adminAddr: 'admin-addr',
  grpcAddr: 'grpc-addr',
  serverAddr: 'server-addr',
  serverTlsKey: 'server-tls-key',
  serverTlsCerts: 'server-tls-certs',
  admissionControllerDisabled: 'admission-controller-disabled',
  clusterNetworks: 'cluster-networks',
  identityDomain: 'identity-domain',
  clusterDomain: 'cluster-domain',
  defaultPolicy: 'default-policy',
  policyDeploymentName: 'policy-deployment-name',
  controlPlaneNamespace: 'control-plane-namespace',
  probeNetworks: 'probe-networks',
  defaultOpaquePorts: 'default-opaque-ports',
  patchTimeoutMs: 'patch-timeout-ms',
  allowL5dRequestHeaders: 'allow-l5d-request-headers',
  globalEgressNetworkNamespace: 'global-egress-network-namespace',
  logLevel: 'log-level',
  logFormat: 'log-format',
  kubeconfig: 'kubeconfig',
};

const SWITCHES = new Set(['admission-controller-disabled', 'allow-l5d-request-headers', 'help', 'version']);

const SPECS: OptionSpec[] = [
  ...Object.values(VALUES).map((long) => ({ long, value: !SWITCHES.has(long) })),
  { long: 'help', short: 'h', value: false },
  { long: 'version', short: 'V', value: false },
];

export const POLICY_USAGE = `Usage: linkerd-policy-controller [OPTIONS]

Options:
      --admin-addr <ADMIN_ADDR>                [default: 0.0.0.0:8080]
      --grpc-addr <GRPC_ADDR>                  [default: 0.0.0.0:8090]
      --server-addr <SERVER_ADDR>              [default: 0.0.0.0:443]
      --server-tls-key <SERVER_TLS_KEY>
      --server-tls-certs <SERVER_TLS_CERTS>
      --admission-controller-disabled
      --cluster-networks <CLUSTER_NETWORKS>    [default: 10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16]
      --identity-domain <IDENTITY_DOMAIN>      [default: cluster.local]
      --cluster-domain <CLUSTER_DOMAIN>        [default: cluster.local]
      --default-policy <DEFAULT_POLICY>        [default: all-unauthenticated]
      --policy-deployment-name <NAME>          [default: linkerd-destination]
      --control-plane-namespace <NAMESPACE>    [default: linkerd]
      --probe-networks <PROBE_NETWORKS>
      --default-opaque-ports <PORTS>
      --patch-timeout-ms <MS>                  [default: 5000]
      --allow-l5d-request-headers
      --global-egress-network-namespace <NS>   [default: linkerd-egress]
      --log-level <LOG_LEVEL>                  [env: LINKERD_POLICY_CONTROLLER_LOG] [default: linkerd=info,warn]
      --log-format <LOG_FORMAT>                [default: plain]
      --kubeconfig <KUBECONFIG>                (l5d: a kubeconfig instead of the in-cluster account)
  -h, --help                                   Print help
  -V, --version                                Print version
`;

export function parsePolicyArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Invocation<PolicyOptions> {
  const { options, positionals } = parseArgs(argv, SPECS);
  if (options.has('help')) return { kind: 'help' };
  if (options.has('version')) return { kind: 'version' };
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' found`);
  const str = (long: string, dflt: string): string => {
    const v = options.get(long);
    return typeof v === 'string' ? v : dflt;
  };
  const patch = str('patch-timeout-ms', '5000');
  if (!/^\d+$/.test(patch))
    throw new UsageError(`invalid value '${patch}' for '--patch-timeout-ms <MS>': invalid digit found in string`);
  return {
    kind: 'run',
    options: {
      adminAddr: str('admin-addr', '0.0.0.0:8080'),
      grpcAddr: str('grpc-addr', '0.0.0.0:8090'),
      serverAddr: str('server-addr', '0.0.0.0:443'),
      serverTlsKey: str('server-tls-key', '/var/run/linkerd/tls/tls.key'),
      serverTlsCerts: str('server-tls-certs', '/var/run/linkerd/tls/tls.crt'),
      admissionControllerDisabled: options.has('admission-controller-disabled'),
      clusterNetworks: str('cluster-networks', '10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16'),
      identityDomain: str('identity-domain', 'cluster.local'),
      clusterDomain: str('cluster-domain', 'cluster.local'),
      defaultPolicy: str('default-policy', 'all-unauthenticated'),
      policyDeploymentName: str('policy-deployment-name', 'linkerd-destination'),
      controlPlaneNamespace: str('control-plane-namespace', 'linkerd'),
      probeNetworks: str('probe-networks', ''),
      defaultOpaquePorts: str('default-opaque-ports', ''),
      patchTimeoutMs: Number(patch),
      allowL5dRequestHeaders: options.has('allow-l5d-request-headers'),
      globalEgressNetworkNamespace: str('global-egress-network-namespace', 'linkerd-egress'),
      logLevel: str('log-level', env.LINKERD_POLICY_CONTROLLER_LOG ?? 'linkerd=info,warn'),
      logFormat: str('log-format', 'plain'),
      kubeconfig: str('kubeconfig', ''),
    },
  };
}

/** An env-filter level (`linkerd=info,warn`, `debug`) as one logger level: the linkerd directive wins. */
export function logLevelOf(filter: string): string {
  const directives = filter.split(',').map((d) => d.trim());
  const linkerd = directives.find((d) => d.startsWith('linkerd=') || d.startsWith('linkerd_policy'));
  const bare = directives.find((d) => !d.includes('='));
  const level = (linkerd?.split('=')[1] ?? bare ?? 'info').toLowerCase();
  return ['trace', 'debug', 'info', 'warn', 'error'].includes(level) ? level : 'info';
}
