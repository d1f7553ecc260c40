#!/usr/bin/env node
// Bundles the sidecar proxy (dist/runtime/proxy/run.js and what it imports) with esbuild into
// dist/runtime/proxy/bundle, which bin/l5d-proxy.js runs. Why: resolving ~40 ESM files at start-up
// makes Node's URL/path helpers hot enough for V8 to optimize them with TurboFan, and the
// optimizing compiler's code then stays resident: ~3.5 MiB of an idle proxy's RSS (the proxy
// bench prints it). The control-plane clients (connect-rpc, protobuf, x509) stay behind the
// proxy's dynamic import()s in their own chunks and load from node_modules, as in the controllers.
// The output directory keeps the depth of dist/runtime/proxy/net, from which the SO_ORIGINAL_DST
// addon is located (native/build/Release, four levels up).
import { readFileSync } from 'node:fs';
import { bundleForNode } from './bundle-node.mjs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outDir = join(root, 'dist', 'runtime', 'proxy', 'bundle');

await bundleForNode({
  entryPoints: { run: join(root, 'dist', 'runtime', 'proxy', 'run.js') },
  outdir: outDir,
  external: Object.keys(dependencies),
});
console.log(`bundled the proxy into ${relative(root, outDir)}`);
