// The CRDs as `l5d install --crds` renders them, applied to a test bed and waited for.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, REPO_ROOT, type RunResult } from './testbed.js';

type Kubectl = (args: string[], stdin?: string) => Promise<RunResult>;

/** Applies `l5d install --crds` (with the Gateway API CRDs when asked) and waits until they serve. */
export async function applyInstallCrds(kubectl: Kubectl, opts: { gatewayApi?: boolean } = {}): Promise<string[]> {
  const args = [join(REPO_ROOT, 'bin', 'run.js'), 'install', '--crds', '--ignore-cluster'];
  if (opts.gatewayApi === true) args.push('--set', 'installGatewayAPI=true');
  const rendered = await run(process.execPath, args);
  const applied = await kubectl(['apply', '-f', '-', '-o', 'name'], rendered.stdout);
  const names = applied.stdout.split('\n').filter((l) => l.startsWith('customresourcedefinition'));
  // `kubectl wait` fails while a new CRD has no status conditions yet: retry until it answers.
  for (let attempt = 0; ; attempt++) {
    const res = await kubectl(['wait', '--for=condition=Established', '--timeout=30s', ...names]).catch(
      (err: unknown) => err as Error,
    );
    if (!(res instanceof Error)) return names;
    if (attempt >= 50) throw res;
    await sleep(100);
  }
}
