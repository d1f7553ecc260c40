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

interface Context {
  cache: string;
  out: string;
  /** Base layers, kept across runs. */
  baseStore: BlobStore;
  /** This run's other blobs, removed with the run's scratch directory. */
  store: BlobStore;
  work: string;
  timings: string[];
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
  const work = mkdtempSync(join(out, '.work-'));
  const ctx: Context = { cache, out, work, baseStore: new BlobStore(cache), store: new BlobStore(work), timings: [] };
  const built: Built[] = [];
  try {
    if (specs.length > 0) built.push(...(await runtimeImages(specs, ctx)));
    if (wanted.has('pause')) built.push(await pauseImage(ctx));
  } finally {
    const t = performance.now();
    await run('rm', ['-rf', '--one-file-system', work]);
    ctx.timings.push(`cleanup: ${seconds(t)}`);
  }
  writeFileSync(join(out, 'images.txt'), built.map((b) => `${b.image.ref}\t${b.archive}\n`).join(''));
  report(built, ctx.timings, started, out);
}

async function baseLayers(specs: readonly ImageSpec[], ctx: Context): Promise<Map<string, BaseLayer>> {
  const t0 = performance.now();
  const bases = new Map<string, BaseLayer>();
  // allSettled: when one base fails, the others' mmdebstrap must still finish and clean up
  // before the process exits, not be orphaned half-way through.
  const results = await Promise.allSettled(
    specs.map(async (spec) => {
      const t = performance.now();
      const recipe = { suite: DEBIAN_SUITE, packages: spec.packages, netAdminFiles: spec.netAdminFiles };
      const base = await baseLayer(recipe, ctx.baseStore, ctx.cache);
      bases.set(spec.target, base);
      ctx.timings.push(`base ${spec.target} (${base.key}): ${base.built ? 'built' : 'cached'} in ${seconds(t)}`);
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  ctx.timings.push(`base layers: ${seconds(t0)}`);
  return bases;
}

async function runtimeImages(specs: readonly ImageSpec[], ctx: Context): Promise<Built[]> {
  const bases = await baseLayers(specs, ctx);
  const t = performance.now();
  const modules = await productionModules(REPO, ctx.cache);
  await stageApp(REPO, modules.dir, join(ctx.work, 'app'));
  const app = await writeLayer(join(ctx.work, 'app'), ctx.store, { rootOwned: true });
  ctx.timings.push(`app layer (node_modules ${modules.built ? 'installed' : 'cached'}): ${seconds(t)}`);
  const built: Built[] = [];
  for (const spec of specs) {
    const base = bases.get(spec.target);
    if (!base) throw new Error(`no base layer for ${spec.target}`);
    const t1 = performance.now();
    const layers: Layer[] = [base, app, ...(await extrasLayer(spec, ctx))];
    built.push(await archive(runtimeImage(spec, layers), ctx));
    ctx.timings.push(`${spec.target} image: ${seconds(t1)}`);
  }
  return built;
}

async function pauseImage(ctx: Context): Promise<Built> {
  const t = performance.now();
  const layer = await pauseLayer(join(REPO, 'images', 'pause', 'pause.c'), join(ctx.work, 'pause'), ctx.store);
  const image: Image = {
    ref: imageRef(PAUSE_IMAGE, PAUSE_IMAGE.tag),
    tag: PAUSE_IMAGE.tag,
    layers: [layer],
    config: { entrypoint: ['/pause'], env: [PATH_ENV], workingDir: '/', user: PAUSE_IMAGE.user },
  };
  const built = await archive(image, ctx);
  ctx.timings.push(`pause image: ${seconds(t)}`);
  return built;
}

async function extrasLayer(spec: ImageSpec, ctx: Context): Promise<Layer[]> {
  if (spec.wrappers.length === 0 && spec.extraAppFiles.length === 0) return [];
  const stage = join(ctx.work, `extras-${spec.target}`);
  stageExtras(REPO, stage, spec.wrappers, spec.extraAppFiles);
  return [await writeLayer(stage, ctx.store, { rootOwned: true })];
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

async function archive(image: Image, ctx: Context): Promise<Built> {
  const { manifest, config } = writeImage(image, ctx.store);
  const digests = [manifest.digest, config.digest, ...image.layers.map((l) => l.digest)];
  const sources = digests.map((digest) => ({ digest, store: ctx.store.has(digest) ? ctx.store : ctx.baseStore }));
  const name = image.ref.replace(/^.*\//, '').replace(':', '_');
  const path = join(ctx.out, `${name}.oci.tar`);
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
