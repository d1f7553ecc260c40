import { Flags } from '@oclif/core';
import type { KubeConnectionOptions } from '../kube/connection.js';

/** Persistent flags every l5d command accepts, as Linkerd's root command defines them. */
export const rootFlags = {
  'linkerd-namespace': Flags.string({
    char: 'L',
    default: 'linkerd',
    summary: 'Namespace in which Linkerd is installed [$LINKERD_NAMESPACE]',
    helpGroup: 'GLOBAL',
  }),
  'cni-namespace': Flags.string({
    default: 'linkerd-cni',
    summary: 'Namespace in which the Linkerd CNI plugin is installed',
    helpGroup: 'GLOBAL',
  }),
  kubeconfig: Flags.string({
    default: '',
    summary: 'Path to the kubeconfig file to use for CLI requests',
    helpGroup: 'GLOBAL',
  }),
  context: Flags.string({ default: '', summary: 'Name of the kubeconfig context to use', helpGroup: 'GLOBAL' }),
  as: Flags.string({ default: '', summary: 'Username to impersonate for Kubernetes operations', helpGroup: 'GLOBAL' }),
  'as-group': Flags.string({
    multiple: true,
    default: [],
    summary: 'Group to impersonate for Kubernetes operations',
    helpGroup: 'GLOBAL',
  }),
  'api-addr': Flags.string({
    default: '',
    summary: 'Override kubeconfig and communicate directly with the control plane at host:port (mostly for testing)',
    helpGroup: 'GLOBAL',
  }),
  verbose: Flags.boolean({ default: false, summary: 'Turn on debug logging', helpGroup: 'GLOBAL' }),
};

export interface RootOptions {
  namespace: string;
  cniNamespace: string;
  apiAddr: string;
  verbose: boolean;
  kube: KubeConnectionOptions;
}

const NAMESPACE_PATTERN = /^[a-zA-Z0-9-]+$/;

/**
 * Linkerd lets `$LINKERD_NAMESPACE` override `-L` whenever the flag's value is exactly `linkerd`
 * (even when typed explicitly), then validates the result.
 */
export function resolveControlPlaneNamespace(flagValue: string, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LINKERD_NAMESPACE;
  const ns = flagValue === 'linkerd' && fromEnv ? fromEnv : flagValue;
  if (!NAMESPACE_PATTERN.test(ns)) throw new Error(`${ns} is not a valid namespace`);
  return ns;
}

export function toRootOptions(flags: {
  'linkerd-namespace': string;
  'cni-namespace': string;
  kubeconfig: string;
  context: string;
  as: string;
  'as-group': string[];
  'api-addr': string;
  verbose: boolean;
}): RootOptions {
  const kube: KubeConnectionOptions = {};
  if (flags.kubeconfig) kube.kubeconfig = flags.kubeconfig;
  if (flags.context) kube.context = flags.context;
  if (flags.as) {
    kube.as = flags.as;
    kube.asGroups = flags['as-group'];
  }
  return {
    namespace: resolveControlPlaneNamespace(flags['linkerd-namespace']),
    cniNamespace: flags['cni-namespace'],
    apiAddr: flags['api-addr'],
    verbose: flags.verbose,
    kube,
  };
}
