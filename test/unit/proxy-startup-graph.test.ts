// What the proxy loads before its first connection decides its idle memory (bench/proxy-bench.ts
// prints it): HTTP/2, zlib and the control-plane client code (protobuf, the gRPC channel, x509)
// must stay behind dynamic import()s. Bundles the proxy's graph with esbuild and walks the static
// imports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';

const LAZY = [/^node:http2$/, /^node:zlib$/, /^@connectrpc\//, /^@bufbuild\//, /^@peculiar\//, /^reflect-metadata$/];

async function proxyGraph(): Promise<Metafile> {
  const { dependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
  const result = await build({
    entryPoints: ['src/runtime/proxy/run.ts'],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: 'out',
    write: false,
    metafile: true,
    external: Object.keys(dependencies),
    logLevel: 'silent',
  });
  return result.metafile;
}

/** Modules reachable from the entry chunk through static imports only. */
function startupImports(meta: Metafile): { external: Set<string>; dynamic: Set<string> } {
  const entry = Object.keys(meta.outputs).find((o) => meta.outputs[o]?.entryPoint === 'src/runtime/proxy/run.ts');
  assert.ok(entry, 'no entry chunk');
  const external = new Set<string>();
  const dynamic = new Set<string>();
  const seen = new Set<string>();
  const visit = (chunk: string): void => {
    if (seen.has(chunk)) return;
    seen.add(chunk);
    for (const imp of meta.outputs[chunk]?.imports ?? []) {
      if (imp.kind === 'dynamic-import') dynamic.add(imp.path);
      else if (imp.external) external.add(imp.path);
      else visit(imp.path);
    }
  };
  visit(entry);
  return { external, dynamic };
}

test('the idle proxy does not load HTTP/2, zlib or the control-plane client libraries', async () => {
  const { external, dynamic } = startupImports(await proxyGraph());
  assert.ok(external.has('node:net') && external.has('node:tls'), `unexpected graph: ${[...external].join(', ')}`);
  const eager = [...external].filter((path) => LAZY.some((re) => re.test(path)));
  assert.deepEqual(eager, [], `loaded at start-up: ${eager.join(', ')}`);
  assert.ok(dynamic.has('node:http2') && dynamic.has('node:zlib'), `dynamic imports: ${[...dynamic].join(', ')}`);
});
