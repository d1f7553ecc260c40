// The package as the images carry it: the build's outputs plus production-only node_modules.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  APP_DIR,
  APP_FILES,
  LAUNCHER_CAPS,
  LAUNCHER_SOURCE,
  type Wrapper,
  launcherBuildArgs,
  wrapperScript,
} from '../spec.js';
import { run } from './run.js';

/**
 * node_modules with dependencies only (no devDependencies), installed from the lock file in a
 * scratch copy of the package so the checkout's own node_modules stays as it is. Cached by the
 * lock file, the package.json fields an install reads and the npm that installed it.
 */
export async function productionModules(repo: string, cacheDir: string): Promise<{ dir: string; built: boolean }> {
  const npmVersion = (await run('npm', ['--version'])).trim();
  const key = createHash('sha256')
    .update(readFileSync(join(repo, 'package-lock.json')))
    .update(JSON.stringify(installInputs(repo)))
    .update(npmVersion)
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheDir, `node_modules-${key}`);
  if (existsSync(join(dir, 'node_modules'))) return { dir: join(dir, 'node_modules'), built: false };
  const work = mkdtempSync(join(cacheDir, '.node_modules-'));
  try {
    cpSync(join(repo, 'package.json'), join(work, 'package.json'));
    cpSync(join(repo, 'package-lock.json'), join(work, 'package-lock.json'));
    // No dependency needs an install script (none is native), and none should run at image build.
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: work,
    });
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { dir: join(dir, 'node_modules'), built: true };
}

/** What of package.json `npm ci` reads besides the lock file; scripts and metadata do not matter. */
function installInputs(repo: string): unknown[] {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
  const fields = ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'overrides'];
  return fields.map((f) => pkg[f] ?? null);
}

/** Fails early, naming the missing output, when `npm run build` has not run. */
export function checkBuilt(repo: string, files: readonly string[]): void {
  for (const file of ['dist', 'bin', 'package.json', ...files]) {
    if (!existsSync(join(repo, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
}

/** Lays out APP_DIR (package.json, dist, bin, node_modules) under `stage`. */
export async function stageApp(repo: string, modules: string, stage: string): Promise<void> {
  const root = join(stage, APP_DIR);
  mkdirSync(root, { recursive: true });
  const sources = APP_FILES.map((file) => (file === 'node_modules' ? modules : join(repo, file)));
  // Hard links: the tree is only read (by tar, which sets owner, mode and mtime itself), and linking
  // node_modules' thousands of files is far quicker than copying them. A copy when across filesystems.
  try {
    await run('cp', ['-al', '--', ...sources, root]);
  } catch {
    await run('rm', ['-rf', '--one-file-system', root]);
    mkdirSync(root, { recursive: true });
    await run('cp', ['-a', '--no-preserve=ownership', '--', ...sources, root]);
  }
}

/** Lays out an image's own files: wrapper programs and build outputs outside the common tree. */
export function stageExtras(
  repo: string,
  stage: string,
  wrappers: readonly Wrapper[],
  appFiles: readonly string[],
): void {
  for (const file of appFiles) {
    const to = join(stage, APP_DIR, file);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(repo, file), to);
  }
  for (const wrapper of wrappers) {
    const to = join(stage, wrapper.path);
    mkdirSync(dirname(to), { recursive: true });
    if (wrapper.netAdminLauncher) {
      execFileSync('gcc', launcherBuildArgs(wrapper, join(repo, LAUNCHER_SOURCE), to), { stdio: 'inherit' });
      chmodSync(to, 0o755);
      execFileSync('setcap', [LAUNCHER_CAPS, to], { stdio: 'inherit' });
      continue;
    }
    writeFileSync(to, wrapperScript(wrapper));
    chmodSync(to, 0o755);
  }
}
