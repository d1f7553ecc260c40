#!/usr/bin/env node
// Bundles the sidecar proxy (dist/runtime/proxy/run.js and what it imports) with esbuild into one
// CommonJS file, dist/runtime/proxy/bundle/run.cjs, which bin/l5d-proxy.cjs runs. Why, in idle
// RSS (bench/proxy-bench.ts prints it): resolving ~40 ESM files at start-up makes Node's URL/path
// helpers hot enough for TurboFan, whose code stays resident (~3.5 MiB), and an ESM entry alone
// costs ~2 MiB over CommonJS for Node's module loader. Code behind the proxy's dynamic import()s
// (HTTP/2, the control-plane clients) stays unevaluated until used. npm packages stay external,
// except protobuf-es's wire codec, which the identity client uses at start-up: bundled, it is a few
// functions; required from node_modules, `@bufbuild/protobuf/wire` would load the reflection
// runtime as well, which only the destination client needs, on first use. The bundle is minified
// (whitespace and syntax, not names): V8 keeps the script's source in memory, ~0.25 MiB less;
// `NODE_OPTIONS=--enable-source-maps` maps stack traces back to the TypeScript.
// The output directory keeps the depth of dist/runtime/proxy/net, from which the SO_ORIGINAL_DST
// addon is located (native/build/Release, four levels up).
import { readFileSync } from 'node:fs';
import { bundleForNode } from './bundle-node.mjs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outDir = join(root, 'dist', 'runtime', 'proxy', 'bundle');
const PROTOBUF_WIRE = '@bufbuild/protobuf/wire';

/** Every protobuf-es import but the wire codec stays external. */
const protobufOutsideWire = {
  name: 'protobuf-outside-wire',
  setup(build) {
    build.onResolve({ filter: /^@bufbuild\/protobuf(\/|$)/ }, (args) =>
      args.path === PROTOBUF_WIRE ? undefined : { path: args.path, external: true },
    );
  },
};

await bundleForNode({
  entryPoints: { run: join(root, 'dist', 'runtime', 'proxy', 'run.js') },
  outdir: outDir,
  external: Object.keys(dependencies).filter((name) => name !== '@bufbuild/protobuf'),
  plugins: [protobufOutsideWire],
  format: 'cjs',
  minify: true,
});
console.log(`bundled the proxy into ${relative(root, outDir)}`);
