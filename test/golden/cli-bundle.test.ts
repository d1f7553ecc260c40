// Start-up cost guard: the command classes that oclif loads on every invocation must not pull any
// npm package besides the bundled oclif; domain dependencies load only when a command runs.
// Needs `npm run build`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const STATIC_IMPORT = /^import\s+(?:[^'"]*?\sfrom\s+)?["']([^"']+)["'];?$/gm;

function staticImportsFrom(entry: string, seen = new Set<string>()): string[] {
  if (seen.has(entry)) return [];
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  const bare: string[] = [];
  for (const [, spec] of source.matchAll(STATIC_IMPORT)) {
    if (spec === undefined || spec.startsWith('node:')) continue;
    if (spec.startsWith('.')) bare.push(...staticImportsFrom(join(dirname(entry), spec), seen));
    else bare.push(spec);
  }
  return bare;
}

test('loading the CLI and its command classes imports no package from node_modules', () => {
  const bundle = join(process.cwd(), 'dist', 'bundle');
  const packages = [...staticImportsFrom(join(bundle, 'run.js')), ...staticImportsFrom(join(bundle, 'commands.js'))];
  assert.deepEqual([...new Set(packages)], []);
});
