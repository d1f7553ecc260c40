/**
 * Large single documents, each at two sizes so the scaling shows next to the ratio: a `--values` file
 * (150 000 keys, ~7 MB) read as `install --values` reads it, and a 48 000-key ConfigMap through
 * `inject` (flow style, which takes the `yaml` package's path; and plain block style). The baseline,
 * measured in the same run, is `yaml.parse` of the same text without its duplicate-key check (which
 * is itself quadratic in the keys of a map, the cost this bench guards against).
 * Run: node --import tsx bench/large-documents-bench.ts
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { parse } from 'yaml';
import { runInject } from '../src/manifests/inject/pipeline.js';
import { readValueFlags } from '../src/manifests/values/helm-values.js';
import { defaultValues } from '../src/manifests/values/defaults.js';

const dir = mkdtempSync(join(tmpdir(), 'l5d-bench-large-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function valuesFile(keys: number): string {
  const lines = ['proxy:', '  logLevel: info', 'podAnnotations:'];
  for (let i = 0; i < keys; i++) lines.push(`  key${i}: "value-${i}-xxxxxxxxxxxxxxxx"`);
  return `${lines.join('\n')}\n`;
}

function configMap(keys: number, flow: boolean): string {
  const entries = Array.from({ length: keys }, (_, i) => `key${i}: value${i}`);
  const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n';
  return flow ? `${head}data: {${entries.join(', ')}}\n` : `${head}data:\n${entries.map((e) => `  ${e}`).join('\n')}\n`;
}

function ms(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

async function msAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const baseline = (text: string) => ms(() => parse(text, { version: '1.1', uniqueKeys: false }));

const base = defaultValues('bench');
base.identityTrustAnchorsPEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const inject = (text: string) =>
  runInject([{ name: 'big.yml', text }], {
    manual: false,
    base,
    values: base,
    controlPlaneNamespace: 'linkerd',
    enableDebugSidecar: false,
    createdBy: 'linkerd/cli bench',
    output: 'yaml',
    verbose: false,
    color: new Chalk({ level: 0 }),
  });

function row(name: string, sizeBytes: number, took: number, base: number): void {
  const mb = (sizeBytes / 1e6).toFixed(1);
  console.log(
    `${name.padEnd(34)} ${mb.padStart(5)} MB  ${took.toFixed(0).padStart(6)} ms   baseline ${base.toFixed(0).padStart(5)} ms   ${(took / base).toFixed(2)}×`,
  );
}

for (const keys of [75_000, 150_000]) {
  const text = valuesFile(keys);
  const file = join(dir, `values-${keys}.yml`);
  writeFileSync(file, text);
  const base = baseline(text);
  const took = await msAsync(() => readValueFlags({ values: [file] }));
  row(`--values, ${keys} keys`, text.length, took, base);
}
for (const flow of [true, false]) {
  for (const keys of [24_000, 48_000]) {
    const text = configMap(keys, flow);
    const base = baseline(text);
    const took = ms(() => {
      const out = inject(text);
      if (out.exitCode !== 0) throw new Error(out.stderr);
    });
    row(`inject ConfigMap, ${keys} keys, ${flow ? 'flow' : 'block'}`, text.length, took, base);
  }
}
