// Builds l5d's container images as OCI archives without a container engine: Debian base layers
// from mmdebstrap (cached), the package as a layer shared by every runtime image, each image's own
// wrapper programs as a small top layer, and the pause image from images/pause/pause.c.
//
//   node --import tsx images/build.ts        (images/build.sh is the entry point)
//
// Environment: L5D_IMAGES_OUT (archives; default build/images), L5D_IMAGES_CACHE (base layers and
// production node_modules; default ~/.cache/l5d/images), L5D_IMAGES (comma-separated subset of
// controller,proxy,debug,pause).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  APP_DIR,
  DEBIAN_SUITE,
  IMAGES,
  type ImageSpec,
  imageRef,
  imageTag,
  PATH_ENV,
  PAUSE_IMAGE,
  RUNTIME_ENV,
} from './spec.js';
import { checkBuilt, productionModules, stageApp, stageExtras } from './lib/app.js';
import { type BaseLayer, baseLayer } from './lib/base.js';
import { BlobStore } from './lib/blobs.js';
import { type Layer, writeLayer } from './lib/layer.js';
import { type Image, writeArchive, writeImage } from './lib/oci.js';
import { pauseLayer } from './lib/pause.js';
import { megabytes, run, seconds } from './lib/run.js';

const REPO = resolve(import.meta.dirname, '..');

function cacheDir(): string {
  if (process.env.L5D_IMAGES_CACHE) return resolve(process.env.L5D_IMAGES_CACHE);
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'l5d', 'images');
}

function selected(): Set<string> {
  const all = [...IMAGES.map((i) => i.target), 'pause'];
  const wanted = (process.env.L5D_IMAGES ?? all.join(',')).split(',').filter(Boolean);
  for (const name of wanted) if (!all.includes(name)) throw new Error(`L5D_IMAGES: unknown image ${name}`);
  return new Set(wanted);
}

/** The tag `l5d install` renders must be the one package.json publishes. */
function checkVersion(): void {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { l5d?: { version?: string } };
  if (pkg.l5d?.version !== imageTag()) {
    throw new Error(`package.json l5d.version ${pkg.l5d?.version} differs from src/version.ts ${imageTag()}`);
  }
}

interface Built {
  image: Image;
  archive: string;
  archiveSize: number;
}

async function main(): Promise<void> {
  const started = performance.now();
  checkVersion();
  const wanted = selected();
  const specs = IMAGES.filter((s) => wanted.has(s.target));
  checkBuilt(
    REPO,
    specs.flatMap((s) => s.extraAppFiles),
  );
  const cache = cacheDir();
  const out = resolve(process.env.L5D_IMAGES_OUT ?? join(REPO, 'build', 'images'));
  mkdirSync(cache, { recursive: true });
  mkdirSync(out, { recursive: true });
  const baseStore = new BlobStore(cache);
  const work = mkdtempSync(join(out, '.work-'));
  const store = new BlobStore(work);
  const timings: string[] = [];
  const built: Built[] = [];
  try {
    const t0 = performance.now();
    const bases = new Map<string, BaseLayer>();
    await Promise.all(
      specs.map(async (spec) => {
        const t = performance.now();
        const recipe = { suite: DEBIAN_SUITE, packages: spec.packages, netAdminFiles: spec.netAdminFiles };
        const base = await baseLayer(recipe, baseStore, cache);
        bases.set(spec.target, base);
        timings.push(`base ${spec.target} (${base.key}): ${base.built ? 'built' : 'cached'} in ${seconds(t)}`);
      }),
    );
    if (specs.length > 0) timings.push(`base layers: ${seconds(t0)}`);

    if (specs.length > 0) {
      const t1 = performance.now();
      const modules = await productionModules(REPO, cache);
      await stageApp(REPO, modules.dir, join(work, 'app'));
      timings.push(`app tree staged: ${seconds(t1)}`);
      const app = await writeLayer(join(work, 'app'), store, { rootOwned: true });
      timings.push(`app layer (node_modules ${modules.built ? 'installed' : 'cached'}): ${seconds(t1)}`);
      for (const spec of specs) {
        const base = bases.get(spec.target);
        if (!base) throw new Error(`no base layer for ${spec.target}`);
        const layers: Layer[] = [base, app, ...(await extrasLayer(spec, work, store))];
        const t = performance.now();
        built.push(await archive(runtimeImage(spec, layers), out, baseStore, store));
        timings.push(`archive ${spec.target}: ${seconds(t)}`);
      }
    }
    if (wanted.has('pause')) {
      const t2 = performance.now();
      const layer = await pauseLayer(join(REPO, 'images', 'pause', 'pause.c'), join(work, 'pause'), store);
      const image: Image = {
        ref: imageRef(PAUSE_IMAGE, PAUSE_IMAGE.tag),
        tag: PAUSE_IMAGE.tag,
        layers: [layer],
        config: { entrypoint: ['/pause'], env: [PATH_ENV], workingDir: '/', user: PAUSE_IMAGE.user },
      };
      built.push(await archive(image, out, baseStore, store));
      timings.push(`pause image: ${seconds(t2)}`);
    }
  } finally {
    const t = performance.now();
    await run('rm', ['-rf', '--one-file-system', work]);
    timings.push(`cleanup: ${seconds(t)}`);
  }
  writeFileSync(join(out, 'images.txt'), built.map((b) => `${b.image.ref}\t${b.archive}\n`).join(''));
  report(built, timings, started, out);
}

async function extrasLayer(spec: ImageSpec, work: string, store: BlobStore): Promise<Layer[]> {
  if (spec.wrappers.length === 0 && spec.extraAppFiles.length === 0) return [];
  const stage = join(work, `extras-${spec.target}`);
  stageExtras(REPO, stage, spec.wrappers, spec.extraAppFiles);
  return [await writeLayer(stage, store, { rootOwned: true })];
}

function runtimeImage(spec: ImageSpec, layers: Layer[]): Image {
  return {
    ref: imageRef(spec),
    tag: imageTag(),
    layers,
    config: {
      entrypoint: spec.entrypoint,
      env: RUNTIME_ENV,
      workingDir: APP_DIR,
      ...(spec.user ? { user: spec.user } : {}),
    },
  };
}

async function archive(image: Image, out: string, baseStore: BlobStore, store: BlobStore): Promise<Built> {
  const { manifest, config } = writeImage(image, store);
  const digests = [manifest.digest, config.digest, ...image.layers.map((l) => l.digest)];
  const sources = digests.map((digest) => ({ digest, store: store.has(digest) ? store : baseStore }));
  const name = image.ref.replace(/^.*\//, '').replace(':', '_');
  const path = join(out, `${name}.oci.tar`);
  return { image, archive: path, archiveSize: await writeArchive(path, image, manifest, sources) };
}

function report(built: Built[], timings: string[], started: number, out: string): void {
  console.log('\ntimings:');
  for (const line of timings) console.log(`  ${line}`);
  console.log(`  total: ${seconds(started)}`);
  console.log('\nimages:');
  for (const { image, archive, archiveSize } of built) {
    const compressed = image.layers.reduce((n, l) => n + l.size, 0);
    const unpacked = image.layers.reduce((n, l) => n + l.tarSize, 0);
    const layers = image.layers.map((l) => megabytes(l.size)).join(' + ');
    console.log(`  ${image.ref}`);
    console.log(
      `    ${archive}: ${megabytes(archiveSize)} (layers ${layers}; ${megabytes(compressed)} gzipped, ${megabytes(unpacked)} unpacked)`,
    );
  }
  console.log(`\nwrote ${join(out, 'images.txt')}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
