// The esbuild settings l5d's bundles share: Node 20, linked source maps, and either ESM with
// shared chunks (dynamic import()s stay lazy files) or one CommonJS file (dynamic import()s of
// bundled code stay lazy functions; used where start-up memory matters, see build-proxy.mjs).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

/** Replaces `outdir` with a bundle of `entryPoints`, leaving `external` packages to node_modules. */
export async function bundleForNode({
  entryPoints,
  outdir,
  external,
  banner,
  plugins = [],
  format = 'esm',
  minify = false,
}) {
  rmSync(outdir, { recursive: true, force: true });
  const cjs = format === 'cjs';
  // CommonJS has no import.meta; the bundled code reads its own URL from this banner variable.
  const cjsBanner = 'const __l5d_import_meta_url = require("node:url").pathToFileURL(__filename).href;';
  const js = [cjs ? cjsBanner : undefined, banner].filter((b) => b !== undefined).join('\n');
  await build({
    entryPoints,
    outdir,
    external,
    ...(js === '' ? {} : { banner: { js } }),
    ...(cjs ? { define: { 'import.meta.url': '__l5d_import_meta_url' }, outExtension: { '.js': '.cjs' } } : {}),
    plugins,
    bundle: true,
    splitting: !cjs,
    format,
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    // Whitespace and syntax only: names stay readable in errors; the linked source map has the rest.
    ...(minify ? { minifyWhitespace: true, minifySyntax: true } : {}),
  });
}
