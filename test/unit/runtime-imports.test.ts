// Runtime processes start in every meshed pod: they must not drag in the CLI (oclif, chalk, listr2,
// src/cli) and the sidecar proxy must not load @kubernetes/client-node. esbuild resolves the real
// import graph (static and dynamic imports) of each entry point, so this fails on any new path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const CLI_ONLY = [
  /node_modules\/@oclif\//,
  /node_modules\/chalk\//,
  /node_modules\/listr2\//,
  /^src\/cli\//,
  /^src\/commands\//,
];

async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
    // Native addons are loaded at run time, not bundled.
    external: ['*.node'],
  });
  return Object.keys(result.metafile.inputs);
}

for (const runtime of [
  'identity',
  'destination',
  'proxy-injector',
  'proxy',
  'proxy-init',
  'await',
  'network-validator',
]) {
  test(`the ${runtime} runtime loads no CLI-only code`, async () => {
    const inputs = await inputsOf(`src/runtime/${runtime}/main.ts`);
    assert.ok(inputs.some((i) => i.startsWith(`src/runtime/${runtime}/`)));
    const offending = inputs.filter((i) => CLI_ONLY.some((re) => re.test(i)));
    assert.deepEqual(offending, []);
  });
}

test('the sidecar proxy never loads @kubernetes/client-node', async () => {
  const inputs = await inputsOf('src/runtime/proxy/main.ts');
  assert.deepEqual(
    inputs.filter((i) => i.includes('node_modules/@kubernetes/')),
    [],
  );
});
