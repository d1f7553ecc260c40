// The Dockerfile, read the way `docker build` would: every program an image runs exists in the
// repo, every file copied out of the build stage is an input or something `npm run build` makes,
// and each target has the content images/spec.ts gives images/build.sh (packages, wrapper
// programs, user, entrypoint), so the two ways of building an image cannot drift apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  APP_DIR,
  APP_FILES,
  DEBIAN_SUITE,
  IMAGES,
  LAUNCHER_CAPS,
  LAUNCHER_SOURCE,
  RUNTIME_ENV,
  type Wrapper,
  launcherBuildArgs,
  wrapperScript,
} from '../../images/spec.js';

const REPO = join(import.meta.dirname, '..', '..');
const read = (path: string): string => readFileSync(join(REPO, path), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '', instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
    });
}

const stages = parseDockerfile(read('Dockerfile'));
const stage = (name: string): Stage => stages.find((s) => s.name === name) ?? assert.fail(`no stage ${name}`);
const build = stage('build');
const BUILD_DIR = build.instructions.find((i) => i.keyword === 'WORKDIR')?.args ?? '/';

/** The commands `npm run build` runs, with nested `npm run X` expanded. */
function buildCommands(script = 'build'): string[] {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  const body = scripts[script] ?? assert.fail(`package.json has no "${script}" script`);
  return body.split('&&').flatMap((part) => {
    const nested = /^npm run ([\w:-]+)/.exec(part.trim());
    return nested?.[1] ? buildCommands(nested[1]) : [part.trim()];
  });
}

/** Paths (relative to the build directory) that the build stage copies in from the context. */
function buildInputs(): string[] {
  return copiesOf(build)
    .filter((c) => c.from === undefined)
    .flatMap((c) =>
      c.sources.map((src) =>
        c.dest.endsWith('/') && c.sources.length > 1
          ? posix.join(c.dest, posix.basename(src))
          : c.dest === './'
            ? src
            : c.dest,
      ),
    )
    .map((p) => posix.normalize(p).replace(/^\.\//, '').replace(/\/$/, ''));
}

const isInput = (path: string): boolean =>
  buildInputs().some((input) => path === input || path.startsWith(`${input}/`));

/** What `npm run build` produces, derived from its configuration rather than listed by hand. */
function buildOutputs(): string[] {
  const outputs: string[] = [];
  const commands = buildCommands();
  const tsc = commands.find((c) => /^tsc -p (\S+)/.test(c));
  if (tsc) {
    const config = JSON.parse(read(/^tsc -p (\S+)/.exec(tsc)?.[1] ?? '')) as { compilerOptions: { outDir: string } };
    outputs.push(posix.normalize(config.compilerOptions.outDir));
  }
  const gyp = commands.find((c) => /^node-gyp rebuild -C (\S+)/.test(c));
  if (gyp) {
    const dir = /^node-gyp rebuild -C (\S+)/.exec(gyp)?.[1] ?? '';
    const { targets } = JSON.parse(read(join(dir, 'binding.gyp'))) as { targets: Array<{ target_name: string }> };
    for (const t of targets) outputs.push(posix.join(dir, 'build', 'Release', `${t.target_name}.node`));
  }
  if (build.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))) outputs.push('node_modules');
  outputs.push(...IMAGES.flatMap((spec) => spec.wrappers.filter((w) => w.netAdminLauncher).map(launcherOutput)));
  return outputs;
}

test('the build stage copies in every input `npm run build` reads', () => {
  const commands = buildCommands();
  const tsconfigPath = /^tsc -p (\S+)/.exec(commands.find((c) => c.startsWith('tsc ')) ?? '')?.[1];
  assert.ok(tsconfigPath, 'the build runs tsc');
  const tsconfig = JSON.parse(read(tsconfigPath)) as { extends?: string; include: string[] };
  const needed = [tsconfigPath, ...(tsconfig.extends ? [tsconfig.extends] : []), 'package.json', 'package-lock.json'];
  needed.push(...tsconfig.include.map((glob) => glob.split('/')[0] ?? glob));
  const gypDir = /^node-gyp rebuild -C (\S+)/.exec(commands.find((c) => c.startsWith('node-gyp')) ?? '')?.[1];
  if (gypDir) {
    const { targets } = JSON.parse(read(join(gypDir, 'binding.gyp'))) as { targets: Array<{ sources: string[] }> };
    needed.push(join(gypDir, 'binding.gyp'), ...targets.flatMap((t) => t.sources.map((s) => join(gypDir, s))));
  }
  for (const command of commands) needed.push(...(command.match(/\bscripts\/[\w.-]+/g) ?? []));
  for (const path of needed) {
    assert.ok(existsSync(join(REPO, path)), `${path} does not exist`);
    assert.ok(isInput(posix.normalize(path.replace(/^\.\//, ''))), `the build stage does not COPY ${path}`);
  }
});

test('every COPY source exists in the repo or is produced by the build', () => {
  for (const s of stages) {
    for (const copy of copiesOf(s)) {
      for (const src of copy.sources) {
        if (copy.from === undefined) {
          assert.ok(existsSync(join(REPO, src)), `${s.name}: COPY ${src}: not in the repo`);
          continue;
        }
        assert.equal(copy.from, 'build', `${s.name}: COPY --from=${copy.from}`);
        assert.ok(src.startsWith(`${BUILD_DIR}/`), `${s.name}: ${src} is outside ${BUILD_DIR}`);
        const path = src.slice(BUILD_DIR.length + 1);
        const made = buildOutputs().some((out) => path === out || path.startsWith(`${out}/`));
        assert.ok(made || isInput(path), `${s.name}: ${src} is neither a build input nor a build output`);
      }
    }
  }
});

/** `dist/...` modules a bin script imports, relative to the repo. */
function distImportsOf(bin: string): string[] {
  const text = read(bin);
  const imports = [...text.matchAll(/(?:import|require)\s*\(?\s*['`](\.\.\/dist\/[^'`]+)['`]/g)].map((m) => m[1] ?? '');
  return imports.flatMap((spec) => {
    const path = posix.join('bin', spec);
    if (!path.includes('${')) return [path];
    // A per-component entry point (l5d-controller): expand it over the script's component list.
    const names = /new Set\(\[([^\]]*)\]\)/.exec(text)?.[1]?.match(/'[^']+'/g) ?? [];
    assert.ok(names.length > 0, `${bin}: cannot resolve ${spec}`);
    return names.map((n) => path.replace(/\$\{\w+\}/, n.slice(1, -1)));
  });
}

/** Modules made by build scripts rather than tsc, and the script that must run in `npm run build`. */
const SCRIPT_OUTPUTS: Record<string, string> = { 'dist/runtime/proxy/bundle/': 'scripts/build-proxy.mjs' };

test('every /opt/l5d/bin program the images run exists, and so do the modules it loads', () => {
  const referenced = new Set(
    stages.flatMap((s) =>
      s.instructions.flatMap((i) => [...i.args.matchAll(/\/opt\/l5d\/(bin\/[\w.-]+\.c?js)/g)].map((m) => m[1] ?? '')),
    ),
  );
  assert.ok(referenced.size >= 5, [...referenced].join(', '));
  for (const bin of referenced) {
    assert.ok(existsSync(join(REPO, bin)), `${bin} does not exist`);
    for (const module of distImportsOf(bin)) {
      const fromScript = Object.entries(SCRIPT_OUTPUTS).find(([dir]) => module.startsWith(dir));
      if (fromScript) {
        assert.ok(
          buildCommands().some((c) => c.includes(fromScript[1])),
          `${bin} loads ${module}, which only ${fromScript[1]} makes, but \`npm run build\` does not run it`,
        );
        continue;
      }
      const source = module.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
      assert.ok(existsSync(join(REPO, source)), `${bin} loads ${module}, but ${source} does not exist`);
    }
  }
});

/** A target's stages, base first: the shared runtime stage, then the target's own. */
const chainOf = (target: string): Stage[] => [stage('runtime'), stage(target)];
const runsOf = (stages: Stage[]): string[] =>
  stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
const wordsAfter = (runs: string[], pattern: RegExp): string[] =>
  runs.flatMap((r) => [...r.matchAll(pattern)].flatMap((m) => (m[1] ?? '').trim().split(/\s+/)));

/** Where the build stage writes `w`'s launcher, relative to its WORKDIR. */
function launcherOutput(w: Wrapper): string {
  return posix.join('launchers', posix.basename(w.path));
}

/** The gcc command images/build.sh runs for `w`, as a shell line (quotes kept for -DTARGET). */
function launcherCommand(w: Wrapper): string {
  const args = launcherBuildArgs(w, LAUNCHER_SOURCE, `${BUILD_DIR}/${launcherOutput(w)}`);
  return ['gcc', ...args.map((a) => (a.includes('"') ? `'${a}'` : a))].join(' ');
}

/** The files a target's RUNs write with `printf '...' > path`, as the bytes printf writes. */
function printedFiles(runs: string[]): Record<string, string> {
  const files = runs.flatMap((r) => [...r.matchAll(/printf '([^']*)' > (\S+)/g)]);
  return Object.fromEntries(files.map((m) => [m[2] ?? '', (m[1] ?? '').replace(/\\n/g, '\n')]));
}

for (const spec of IMAGES) {
  test(`the ${spec.target} stage installs what images/spec.ts lists for it`, () => {
    const runs = runsOf(chainOf(spec.target));
    const installed = wordsAfter(runs, /apt-get install -y --no-install-recommends ([^&]+)/g);
    const purged = new Set(wordsAfter(runs, /apt-get purge -y --auto-remove ([^&]+)/g));
    assert.deepEqual([...new Set(installed.filter((p) => !purged.has(p)))].sort(), [...spec.packages].sort());
    const capped = wordsAfter(runs, /setcap cap_net_raw,cap_net_admin\+eip (\S+)/g);
    assert.deepEqual(capped.sort(), [...spec.netAdminFiles].sort());
  });

  test(`the ${spec.target} stage writes the wrapper programs of images/spec.ts, byte for byte`, () => {
    const scripts = spec.wrappers.filter((w) => !w.netAdminLauncher);
    const expected = Object.fromEntries(scripts.map((w) => [w.path, wrapperScript(w)]));
    assert.deepEqual(printedFiles(runsOf(chainOf(spec.target))), expected);
  });

  test(`the ${spec.target} stage ships the launchers of images/spec.ts, built and capped as images/build.sh does`, () => {
    const buildRuns = build.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const runs = runsOf(chainOf(spec.target));
    const copies = copiesOf(stage(spec.target));
    for (const w of spec.wrappers.filter((x) => x.netAdminLauncher)) {
      assert.ok(
        buildRuns.some((r) => r.includes(launcherCommand(w))),
        `the build stage does not run: ${launcherCommand(w)}`,
      );
      const copy = copies.find((c) => c.sources.includes(`${BUILD_DIR}/${launcherOutput(w)}`));
      assert.equal(copy?.dest, w.path);
      assert.ok(
        runs.some((r) => r.includes(`setcap ${LAUNCHER_CAPS} ${w.path}`)),
        `${w.path} gets no ${LAUNCHER_CAPS}`,
      );
    }
  });

  test(`the ${spec.target} stage runs as images/spec.ts says: user, entrypoint, environment, directory`, () => {
    const instructions = chainOf(spec.target).flatMap((s) => s.instructions);
    const last = (keyword: string) => instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
    assert.equal(last('USER'), spec.user);
    assert.deepEqual(JSON.parse(last('ENTRYPOINT') ?? 'null'), spec.entrypoint);
    assert.equal(last('WORKDIR'), APP_DIR);
    const env = instructions.filter((i) => i.keyword === 'ENV').map((i) => i.args);
    assert.deepEqual(
      env,
      RUNTIME_ENV.filter((e) => !e.startsWith('PATH=')),
    );
    const copied = copiesOf(stage(spec.target)).flatMap((c) => c.sources.map((src) => src.slice(BUILD_DIR.length + 1)));
    const launchers = spec.wrappers.filter((w) => w.netAdminLauncher).map(launcherOutput);
    assert.deepEqual(copied.sort(), [...launchers, ...spec.extraAppFiles].sort());
  });
}

test('the runtime stage copies the package files images/spec.ts puts in every image, from a trixie base', () => {
  const copied = copiesOf(stage('runtime')).flatMap((c) => c.sources.map((src) => src.slice(BUILD_DIR.length + 1)));
  assert.deepEqual(copied.sort(), [...APP_FILES].sort());
  assert.match(read('Dockerfile'), new RegExp(`^ARG DEBIAN_IMAGE=debian:${DEBIAN_SUITE}-slim$`, 'm'));
  assert.match(read('Dockerfile'), /^FROM \$\{DEBIAN_IMAGE\} AS runtime$/m);
});

test('the proxy image ships the SO_ORIGINAL_DST addon where dist/runtime/proxy looks for it', () => {
  const source = read('src/runtime/proxy/net/orig-dst.ts');
  const segments = [...(/ADDON_PATH = join\(([\s\S]*?)\);/.exec(source)?.[1] ?? '').matchAll(/'([^']+)'/g)].map(
    (m) => m[1] ?? '',
  );
  // Resolved from dist/runtime/proxy/net, the compiled location of orig-dst.ts.
  const expected = posix.join('/opt/l5d/dist/runtime/proxy/net', ...segments);
  const workdir = stage('runtime').instructions.find((i) => i.keyword === 'WORKDIR')?.args ?? '';
  const shipped = copiesOf(stage('proxy')).map((c) => posix.join(workdir, c.dest));
  assert.ok(shipped.includes(expected), `the proxy stage does not COPY ${expected} (has ${shipped.join(', ')})`);
});
