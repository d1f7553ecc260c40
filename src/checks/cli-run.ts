import type { V1Namespace } from '@kubernetes/client-node';
import type { KubeConnectionOptions } from '../kube/connection.js';
import type { KubeObject } from '../kube/types.js';
import { colorFor } from '../cli/color.js';
import { ExitError } from '../cli/errors.js';
import { systemClock } from './clock.js';
import { CheckContext, type CheckOptions, type CrdRequirement } from './context.js';
import {
  execChild,
  extensionResults,
  findExtensionExecutables,
  planExtensions,
  type ExtensionTarget,
} from './extensions.js';
import type { OutputFormat } from './flags.js';
import { hintBaseFor } from './hints.js';
import { apiErrorText, type KubeApi } from './kube-api.js';
import type { CheckResult } from './model.js';
import { listItems } from './object-lists.js';
import { categoriesFor, type CheckMode } from './plan.js';
import { exitCodeFor, renderRun } from './render-run.js';
import { runChecks } from './runner.js';
import { DEFAULT_VERSION_CHECK_URL, type FetchLike } from './versions.js';

export interface CheckRunInput {
  mode: CheckMode;
  output: OutputFormat;
  waitMs: number;
  failOnWarnings: boolean;
  verbose: boolean;
  kube: KubeConnectionOptions;
  options: Omit<CheckOptions, 'versionCheckUrl'>;
  crdRequirements: readonly CrdRequirement[];
  /** Rendered install objects (`--pre` only; rendered before any check runs). */
  installObjects: readonly KubeObject[];
  /** Flags forwarded to extension checks (default and `--proxy` modes). */
  extensionFlags: readonly string[];
}

/** Wires the real cluster, clock and network into the engine, runs it and renders; returns the exit code. */
export async function runCheckCli(input: CheckRunInput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const clients: { close(): Promise<void> }[] = [];
  const ctx = new CheckContext(
    { ...input.options, versionCheckUrl: env.L5D_VERSION_CHECK_URL || DEFAULT_VERSION_CHECK_URL },
    {
      connectKube: async (): Promise<KubeApi> => {
        const { KubeClient } = await import('../kube/client.js');
        const client = await KubeClient.connect(input.kube);
        clients.push(client);
        return client;
      },
      fetch: globalThis.fetch as unknown as FetchLike,
      clock: systemClock,
      crdRequirements: () => input.crdRequirements,
      installObjects: async () => input.installObjects,
    },
  );
  const hintBase = hintBaseFor(input.options.cliVersion);
  const core = runChecks(categoriesFor(input.mode, ctx), {
    clock: systemClock,
    waitMs: input.waitMs,
    hintBase,
    ...(input.verbose ? { debug: (line: string) => process.stderr.write(`level=debug msg="${line}"\n`) } : {}),
  });
  const withExtensions = input.mode === 'control-plane' || input.mode === 'proxy';
  // Discovery does not depend on the core results, so it starts right away.
  const targets = withExtensions ? discoverExtensions(ctx, input.extensionFlags, env) : undefined;
  targets?.catch(() => undefined);
  async function* runners(): AsyncGenerator<AsyncIterable<CheckResult>> {
    yield core;
    for (const target of (await targets) ?? []) {
      const output = target.kind === 'run' ? await execChild(target.command, target.args) : undefined;
      yield toAsync(extensionResults(target, output, hintBase));
    }
  }
  try {
    const summary = await renderRun(runners(), input.output, {
      stdout: process.stdout,
      stderr: process.stderr,
      color: colorFor(process.stdout, env).level > 0,
    });
    return exitCodeFor(summary, input.failOnWarnings);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

async function discoverExtensions(
  ctx: CheckContext,
  flags: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<ExtensionTarget[]> {
  try {
    const namespaces = await listItems<V1Namespace>(await ctx.kube(), '/api/v1/namespaces', 'linkerd.io/extension');
    return await planExtensions({
      installed: namespaces.map((n) => n.metadata?.labels?.['linkerd.io/extension'] ?? ''),
      executables: await findExtensionExecutables(env.PATH ?? ''),
      self: { command: process.execPath, prefix: process.argv.slice(1, 2), label: 'l5d' },
      flags,
      exec: execChild,
    });
  } catch (err) {
    throw new ExitError(`Failed to run extensions checks: ${apiErrorText(err)}`, 1);
  }
}

async function* toAsync(results: readonly CheckResult[]): AsyncGenerator<CheckResult> {
  yield* results;
}
