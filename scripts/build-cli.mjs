#!/usr/bin/env node
// Bundles the l5d CLI (oclif and every command) into dist/cli with esbuild, so start-up reads a few
// files instead of resolving hundreds of modules. The command index is generated from
// dist/commands/**, so adding a command needs no registry edit. Heavy domain code stays behind
// dynamic import() in the commands and lands in lazily loaded chunks.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const commandsDir = join(root, 'dist', 'commands');
const outDir = join(root, 'dist', 'bundle');
const entryDir = join(root, 'dist', '.cli-entry');

function commandFiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return commandFiles(path);
      return name.endsWith('.js') ? [path] : [];
    });
}

const files = commandFiles(commandsDir);
const imports = files.map((file, i) => `import C${i} from ${JSON.stringify(file)};`);
const entries = files.map((file, i) => {
  const id = relative(commandsDir, file).replace(/\.js$/, '').replace(/(^|\/)index$/, '').split('/').join(':');
  return `  ${JSON.stringify(id)}: C${i},`;
});
rmSync(entryDir, { recursive: true, force: true });
mkdirSync(entryDir, { recursive: true });
writeFileSync(join(entryDir, 'commands.js'), `${imports.join('\n')}\nexport const COMMANDS = {\n${entries.join('\n')}\n};\n`);
writeFileSync(
  join(entryDir, 'run.js'),
  "import { execute } from '@oclif/core';\nexport async function run() { await execute({ dir: import.meta.url }); }\n",
);

rmSync(outDir, { recursive: true, force: true });
await build({
  entryPoints: { run: join(entryDir, 'run.js'), commands: join(entryDir, 'commands.js') },
  outdir: outDir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // client-node is loaded lazily from node_modules (it is only needed when a command talks to a
  // cluster); typescript is only probed by oclif in development mode.
  external: ['@kubernetes/client-node', 'typescript'],
  banner: { js: "import { createRequire as __l5dCreateRequire } from 'node:module'; const require = __l5dCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
rmSync(entryDir, { recursive: true, force: true });
console.log(`bundled ${files.length} commands into ${relative(root, outDir)}`);
