/**
 * `inject --manual` of a generated 10 000-workload stream: in-process core and one real CLI run, next to
 * the cost of merely parsing and re-emitting the same stream with the `yaml` package.
 * Run: node --import tsx bench/inject-bench.ts [count]   (the CLI run needs `npm run build` first)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { parseAllDocuments } from 'yaml';
import { runInject } from '../src/manifests/inject/pipeline.js';
import { defaultValues } from '../src/manifests/values/defaults.js';

const count = Number(process.argv[2] ?? 10_000);
const anchorsFile = join(process.cwd(), 'test', 'fixtures', 'certs', 'trust-anchors.pem');

function workload(i: number): string {
  return `# workload ${i}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
  namespace: ns-${i % 50}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      containers:
      - name: app
        image: example/app:${i}
        ports:
        - containerPort: 8080
          name: http
        env:
        - name: MODE
          value: "production"
`;
}

const stream = Array.from({ length: count }, (_, i) => workload(i)).join('---\n');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const time = <T>(fn: () => T): [T, number] => {
  const start = performance.now();
  const out = fn();
  return [out, (performance.now() - start) / 1000];
};

const [, parseEmit] = time(() =>
  parseAllDocuments(stream)
    .map((d) => d.toString())
    .join('---\n'),
);
const base = defaultValues();
base.identityTrustAnchorsPEM = readFileSync(anchorsFile, 'utf8');
const [out, core] = time(() =>
  runInject([{ name: 'bench', text: stream }], {
    manual: true,
    base,
    values: base,
    controlPlaneNamespace: 'linkerd',
    enableDebugSidecar: false,
    createdBy: 'linkerd/cli bench',
    output: 'yaml',
    verbose: false,
    color: new Chalk({ level: 0 }),
  }),
);
if (out.exitCode !== 0) throw new Error(out.stderr);
const inProcessRss = process.resourceUsage().maxRSS * 1024;

const dir = mkdtempSync(join(tmpdir(), 'l5d-inject-bench-'));
const input = join(dir, 'stream.yml');
writeFileSync(input, stream);
const cli = spawnSync(
  '/usr/bin/time',
  [
    '-f',
    '%e %M',
    process.execPath,
    'bin/run.js',
    'inject',
    '--manual',
    '--ignore-cluster',
    '--identity-trust-anchors-file',
    anchorsFile,
    input,
  ],
  { encoding: 'utf8', maxBuffer: 1 << 30 },
);
const [cliSeconds, cliKb] = (cli.stderr.trim().split('\n').pop() ?? '').split(' ');

const ratio = (seconds: number) => `${(seconds / parseEmit).toFixed(2)}× the baseline`;
console.log(`workloads:                 ${count} (${mb(stream.length)} in, ${mb(out.stdout.length)} out)`);
console.log(`yaml parse + re-emit:      ${parseEmit.toFixed(2)} s (baseline)`);
console.log(
  `inject --manual (core):    ${core.toFixed(2)} s (${ratio(core)}), peak RSS ${mb(inProcessRss)} (whole bench process)`,
);
console.log(
  `inject --manual (CLI run): ${cli.status === 0 ? `${cliSeconds} s (${ratio(Number(cliSeconds))}), peak RSS ${mb(Number(cliKb) * 1024)}` : `failed: ${cli.stderr.slice(0, 300)}`}`,
);
