// Debian base layers, made with mmdebstrap and cached by what went into them: a warm build reads
// the cached layer's record and never runs mmdebstrap.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobStore } from './blobs.js';
import { type Layer, writeLayer } from './layer.js';
import { unmountUnder } from './mounts.js';
import { run } from './run.js';

/**
 * Bump when the recipe below changes in a way the key does not see (hooks, excludes, cleanup), so
 * caches built by the old recipe are not reused.
 */
const RECIPE_REVISION = 1;

export interface BaseRecipe {
  suite: string;
  /** Packages on top of Debian's Essential set. */
  packages: string[];
  /** Files that get `cap_net_raw,cap_net_admin+eip`. */
  netAdminFiles: string[];
}

export interface BaseLayer extends Layer {
  key: string;
  /** True when mmdebstrap ran in this build. */
  built: boolean;
}

const MIRROR = 'http://deb.debian.org/debian';
const SECURITY_MIRROR = 'http://deb.debian.org/debian-security';

function sources(suite: string): string[] {
  return [
    `deb ${MIRROR} ${suite} main`,
    `deb ${MIRROR} ${suite}-updates main`,
    `deb ${SECURITY_MIRROR} ${suite}-security main`,
  ];
}

// Man pages, translations and docs are dead weight in a container; copyright files stay.
const DPKG_OPTIONS = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/lintian/*',
];

/** What a build left behind that no container needs and that would make the layer differ run to run. */
const CLEANUP = [
  'var/lib/apt/lists',
  'var/cache/apt',
  'var/cache/debconf/config.dat-old',
  'var/cache/debconf/templates.dat-old',
  'var/cache/ldconfig/aux-cache',
  'var/lib/dpkg/status-old',
  'var/lib/dpkg/diversions-old',
  'var/log/apt',
  'var/log/dpkg.log',
  'var/log/alternatives.log',
  'var/log/bootstrap.log',
];

export function baseKey(recipe: BaseRecipe): string {
  const canonical = JSON.stringify({
    revision: RECIPE_REVISION,
    suite: recipe.suite,
    sources: sources(recipe.suite),
    packages: [...recipe.packages].sort(),
    netAdminFiles: [...recipe.netAdminFiles].sort(),
    dpkg: DPKG_OPTIONS,
  });
  return `${recipe.suite}-${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`;
}

async function bootstrap(recipe: BaseRecipe, rootfs: string): Promise<void> {
  await run(
    'mmdebstrap',
    [
      // We are root and there is no user namespace setup to lean on: root mode is the simple one.
      '--mode=root',
      // Essential, not minbase: no apt or other package tooling in the runtime images.
      '--variant=essential',
      '--format=directory',
      '--quiet',
      `--include=${recipe.packages.join(',')}`,
      ...DPKG_OPTIONS.map((o) => `--dpkgopt=${o}`),
      recipe.suite,
      rootfs,
      ...sources(recipe.suite),
    ],
    { inherit: true },
  );
  for (const file of recipe.netAdminFiles) {
    const path = join(rootfs, file);
    if (!lstatSync(path).isFile()) throw new Error(`${file}: not a regular file, cannot carry capabilities`);
    await run('setcap', ['cap_net_raw,cap_net_admin+eip', path]);
  }
  for (const path of CLEANUP) rmSync(join(rootfs, path), { recursive: true, force: true });
}

/** The base layer for `recipe`, from the cache or built now. */
export async function baseLayer(recipe: BaseRecipe, store: BlobStore, cacheDir: string): Promise<BaseLayer> {
  const key = baseKey(recipe);
  const record = join(cacheDir, `base-${key}.json`);
  if (existsSync(record)) {
    const layer = JSON.parse(readFileSync(record, 'utf8')) as Layer;
    if (store.has(layer.digest)) return { ...layer, key, built: false };
  }
  if (process.getuid?.() !== 0)
    throw new Error(`building base layer ${key} needs root (mmdebstrap --mode=root, setcap)`);
  const work = mkdtempSync(join(cacheDir, `.base-${key}-`));
  try {
    const rootfs = join(work, 'rootfs');
    await bootstrap(recipe, rootfs);
    // /dev is the runtime's to populate; device nodes in a layer only get in its way.
    const layer = await writeLayer(rootfs, store, { rootOwned: false, exclude: ['dev/*'] });
    writeFileSync(`${record}.tmp`, `${JSON.stringify(layer, null, 2)}\n`);
    renameSync(`${record}.tmp`, record);
    return { ...layer, key, built: true };
  } finally {
    await unmountUnder(work);
    rmSync(work, { recursive: true, force: true });
  }
}
