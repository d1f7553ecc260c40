// The esbuild settings l5d's bundles share: ESM for Node 20 with shared chunks, so dynamic
// import()s stay lazy, and linked source maps.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

/** Replaces `outdir` with a bundle of `entryPoints`, leaving `external` packages to node_modules. */
export async function bundleForNode({ entryPoints, outdir, external, banner }) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints,
    outdir,
    external,
    ...(banner === undefined ? {} : { banner: { js: banner } }),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
