import type { KubeObject } from '../kube/types.js';
import type { Clock } from './clock.js';
import { getRaw, type KubeApi } from './kube-api.js';
import { readLinkerdConfig } from './linkerd-config.js';
import { memoize } from './memo.js';
import { channelsFromExpected, fetchLatestChannels, type Channels, type FetchLike } from './versions.js';

/** A Linkerd CRD and the version (its last listed one) the control plane needs. */
export interface CrdRequirement {
  name: string;
  requiredVersion: string;
}

export interface CheckOptions {
  /** Control-plane namespace (`-L`). */
  namespace: string;
  cniNamespace: string;
  /** `-n` for `--proxy` checks; empty means all namespaces. */
  dataPlaneNamespace: string;
  cliVersion: string;
  /** `--expected-version`; empty means ask the version server. */
  expectedVersion: string;
  linkerdCniEnabled: boolean;
  versionCheckUrl: string;
}

/** Everything with side effects, injected so unit tests can drive the checks with fakes. */
export interface CheckDeps {
  connectKube(): Promise<KubeApi>;
  fetch: FetchLike;
  clock: Clock;
  crdRequirements: () => readonly CrdRequirement[];
  /** Objects of the default install manifest (freshly generated credentials) for the `--pre` dry runs. */
  installObjects: () => Promise<readonly KubeObject[]>;
}

export interface ServerVersionInfo {
  gitVersion: string;
}

/** Facts several checks need, each fetched once per run (and again after a failure). */
export class CheckContext {
  readonly kube = memoize(async () => {
    try {
      return await this.deps.connectKube();
    } catch (err) {
      throw new Error(`error configuring Kubernetes API client: ${(err as Error).message}`);
    }
  });

  readonly serverVersion = memoize(async () => getRaw<ServerVersionInfo>(await this.kube(), '/version'));

  readonly linkerdConfig = memoize(async () => readLinkerdConfig(await this.kube(), this.options.namespace));

  readonly latestChannels = memoize(async (): Promise<Channels> =>
    this.options.expectedVersion !== ''
      ? channelsFromExpected(this.options.expectedVersion)
      : fetchLatestChannels(this.options.versionCheckUrl, this.deps.fetch, new AbortController().signal),
  );

  constructor(
    readonly options: CheckOptions,
    readonly deps: CheckDeps,
  ) {}
}
