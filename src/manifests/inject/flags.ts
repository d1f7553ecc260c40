/** oclif definitions of `inject`'s own flags (CLI-only module; inject.md §2.2). */
import { Flags } from '@oclif/core';
import { proxyFlags } from '../values/proxy-flags.js';

export const injectOnlyFlags = {
  manual: Flags.boolean({
    default: false,
    description:
      "Include the proxy sidecar container spec in the YAML output (the auto-injector won't pick it up, so config annotations aren't supported) (default false)",
  }),
  'ignore-cluster': Flags.boolean({
    default: false,
    description:
      'Ignore the current Kubernetes cluster when checking for existing cluster configuration (default false)',
  }),
  'enable-debug-sidecar': Flags.boolean({
    default: false,
    description: 'Inject a debug sidecar for data plane debugging (default false)',
  }),
  'close-wait-timeout': Flags.string({
    default: '0s',
    description: 'Sets nf_conntrack_tcp_timeout_close_wait (default 0s)',
  }),
  'identity-trust-anchors-file': Flags.string({
    description:
      'l5d extension: trust anchors PEM to use for --manual injection (e.g. with --ignore-cluster, which has none)',
  }),
  output: Flags.string({ char: 'o', default: 'yaml', description: 'Output format, one of: json|yaml' }),
};

/** Linkerd's `makeInjectFlags`: proxy settings that only make sense per workload. */
export const workloadFlags = {
  // The chart default is true, so `--native-sidecar=false` (or `--no-native-sidecar`) must reach the values.
  'native-sidecar': Flags.boolean({
    allowNo: true,
    description: 'Enable native sidecar (default false)',
  }),
  'wait-before-exit-seconds': Flags.integer({
    min: 0,
    description:
      'The period during which the proxy sidecar must stay alive while its pod is terminating. Must be smaller than terminationGracePeriodSeconds for the pod (default 0)',
  }),
  'disable-identity': Flags.boolean({
    hidden: true,
    description: 'Disables resources from participating in TLS identity',
  }),
  'require-identity-on-inbound-ports': Flags.string({
    multiple: true,
    delimiter: ',',
    description: 'Inbound ports on which the proxy should require identity',
  }),
  ingress: Flags.boolean({ description: 'Enable ingress mode in the linkerd proxy' }),
  'opaque-ports': Flags.string({
    multiple: true,
    delimiter: ',',
    description: 'Set opaque ports on the proxy (default [25,587,3306,4444,5432,6379,9300,11211])',
  }),
};

export const allInjectFlags = { ...proxyFlags, ...workloadFlags, ...injectOnlyFlags };
