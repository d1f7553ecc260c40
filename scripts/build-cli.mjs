#!/usr/bin/env node
// Bundles the l5d CLI (oclif and the thin command classes) with esbuild into dist/bundle, so
// start-up reads a few files instead of resolving hundreds of CommonJS modules (bench/cli-startup.mjs
// measures it). The command index is generated from dist/commands/**, so adding a command needs no
// registry edit. Domain code stays behind dynamic import() in the commands and lands in chunks that
// load only when that command runs.
import { bundleForNode } from './bundle-node.mjs';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const STARTUP_PACKAGES = ['@oclif/core', 'chalk'];
const commandsDir = join(root, 'dist', 'commands');
const outDir = join(root, 'dist', 'bundle');
const entryDir = join(root, 'dist', '.bundle-entry');

function commandFiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return commandFiles(path);
      return name.endsWith('.js') ? [path] : [];
    });
}

/** oclif's command id for a file under dist/commands: `viz/install.js` → `viz:install`. */
function commandId(file) {
  return relative(commandsDir, file)
    .replace(/\.js$/, '')
    .replace(/(^|\/)index$/, '')
    .split('/')
    .join(':');
}

const files = commandFiles(commandsDir);
rmSync(entryDir, { recursive: true, force: true });
mkdirSync(entryDir, { recursive: true });
writeFileSync(
  join(entryDir, 'commands.js'),
  [
    ...files.map((file, i) => `import C${i} from ${JSON.stringify(file)};`),
    'export const COMMANDS = {',
    ...files.map((file, i) => `  ${JSON.stringify(commandId(file))}: C${i},`),
    '};',
    '',
  ].join('\n'),
);

await bundleForNode({
  entryPoints: { run: join(root, 'dist', 'cli', 'run.js'), commands: join(entryDir, 'commands.js') },
  outdir: outDir,
  // Bundle only what every invocation loads: oclif (hundreds of CommonJS files) and chalk (small,
  // ESM). The domain's dependencies load from node_modules on demand, exactly as in the runtimes
  // and tests (bundling CommonJS packages such as undici would also change their ESM interop).
  // typescript is only probed by oclif in development mode.
  external: [...Object.keys(dependencies).filter((name) => !STARTUP_PACKAGES.includes(name)), 'typescript'],
  banner:
    "import { createRequire as __l5dCreateRequire } from 'node:module'; const require = __l5dCreateRequire(import.meta.url);",
});
rmSync(entryDir, { recursive: true, force: true });
console.log(`bundled ${files.length} commands into ${relative(root, outDir)}`);
