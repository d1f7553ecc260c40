import { readBoundedFile } from '../../util/bounded-read.js';
import type { RootOptions } from '../../cli/root-flags.js';
import { proxyFlagValues } from '../values/proxy-flags.js';
import { applyProxyFlags } from '../values/apply-proxy-flags.js';
import { cliCreatedBy, defaultValues } from '../values/defaults.js';
import { clusterValues } from './base-values.js';
import type { InjectRun, OutputFormat } from './pipeline.js';
import { formatGoDuration, goDurationNanos } from '../../util/go-duration.js';
import { applyWorkloadFlags } from './workload-flags.js';

/** Parsed `inject` flags, as oclif returns them. */
export interface InjectFlags {
  manual: boolean;
  'ignore-cluster': boolean;
  'enable-debug-sidecar': boolean;
  'close-wait-timeout': string;
  output: string;
  'native-sidecar'?: boolean;
  'wait-before-exit-seconds'?: number;
  'disable-identity'?: boolean;
  'require-identity-on-inbound-ports'?: string[];
  ingress?: boolean;
  'opaque-ports'?: string[];
  [flag: string]: unknown;
}

/** Everything `runInject` needs besides the inputs: base values (cluster or chart) and the flags applied. */
export async function injectSettings(
  flags: InjectFlags,
  root: RootOptions,
): Promise<Omit<InjectRun, 'verbose' | 'color'>> {
  if (flags.output !== 'yaml' && flags.output !== 'json') throw new Error(`unsupported format ${flags.output}`);
  const closeWait = goDurationNanos(flags['close-wait-timeout']);
  if (closeWait === undefined) {
    throw new Error(
      `invalid argument "${flags['close-wait-timeout']}" for "--close-wait-timeout" flag: time: invalid duration`,
    );
  }
  const base = flags['ignore-cluster'] ? defaultValues() : await clusterValues(root);
  const anchorsFile = flags['identity-trust-anchors-file'];
  if (typeof anchorsFile === 'string')
    base.identityTrustAnchorsPEM = (await readBoundedFile(anchorsFile)).toString('utf8');
  const values = applyWorkloadFlags(
    applyProxyFlags(base, proxyFlagValues(flags as Parameters<typeof proxyFlagValues>[0])),
    {
      nativeSidecar: flags['native-sidecar'],
      waitBeforeExitSeconds: flags['wait-before-exit-seconds'],
      disableIdentity: flags['disable-identity'],
      requireIdentityOnInboundPorts: flags['require-identity-on-inbound-ports'],
      ingress: flags.ingress,
      opaquePorts: flags['opaque-ports'],
    },
  );
  const seconds = closeWait / 1e9;
  return {
    manual: flags.manual,
    base,
    values,
    controlPlaneNamespace: root.namespace,
    enableDebugSidecar: flags['enable-debug-sidecar'],
    createdBy: cliCreatedBy(),
    output: flags.output as OutputFormat,
    ...(closeWait > 0
      ? { closeWaitTimeout: Number.isInteger(seconds) ? formatGoDuration(seconds * 1000) : flags['close-wait-timeout'] }
      : {}),
  };
}
