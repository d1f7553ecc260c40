// OCI image config, manifest, index and the archive `ctr images import` reads.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BlobStore, type Descriptor } from './blobs.js';
import { LAYER_MEDIA_TYPE, type Layer } from './layer.js';
import { run } from './run.js';

const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
const PLATFORM = { architecture: 'amd64', os: 'linux' } as const;

export interface ImageConfig {
  entrypoint: string[];
  env: string[];
  workingDir: string;
  user?: string;
}

export interface Image {
  /** Full reference, `repository:tag`. */
  ref: string;
  tag: string;
  layers: Layer[];
  config: ImageConfig;
}

/** Writes the image's config and manifest blobs into `store`. */
export function writeImage(image: Image, store: BlobStore): { manifest: Descriptor; config: Descriptor } {
  const config = store.putJson(CONFIG_MEDIA_TYPE, {
    // A fixed creation time keeps the config, and so the manifest digest, stable across rebuilds.
    created: '1970-01-01T00:00:00Z',
    ...PLATFORM,
    config: {
      ...(image.config.user ? { User: image.config.user } : {}),
      Env: image.config.env,
      Entrypoint: image.config.entrypoint,
      WorkingDir: image.config.workingDir,
    },
    rootfs: { type: 'layers', diff_ids: image.layers.map((l) => l.diffId) },
  });
  const manifest = store.putJson(MANIFEST_MEDIA_TYPE, {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config,
    layers: image.layers.map((l) => ({ mediaType: LAYER_MEDIA_TYPE, digest: l.digest, size: l.size })),
  });
  return { manifest, config };
}

/**
 * Writes an OCI archive (a tar of an OCI image layout) holding one image. The index names it both
 * ways containerd reads: `io.containerd.image.name` for `ctr import`, the ref name for other tools.
 */
export async function writeArchive(
  archive: string,
  image: Image,
  manifest: Descriptor,
  sources: Array<{ digest: string; store: BlobStore }>,
): Promise<number> {
  mkdirSync(dirname(archive), { recursive: true });
  const layout = mkdtempSync(join(dirname(archive), '.layout-'));
  try {
    const blobs = join(layout, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    for (const { digest, store } of sources) store.linkInto(digest, blobs);
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: INDEX_MEDIA_TYPE,
        manifests: [
          {
            ...manifest,
            platform: PLATFORM,
            annotations: {
              'io.containerd.image.name': image.ref,
              'org.opencontainers.image.ref.name': image.tag,
            },
          },
        ],
      }),
    );
    const tmp = `${archive}.tmp`;
    await run('tar', [
      '--create',
      `--file=${tmp}`,
      `--directory=${layout}`,
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mode=u+rw,go+r,go-w',
      'oci-layout',
      'index.json',
      'blobs',
    ]);
    await run('mv', ['-f', tmp, archive]);
    return statSync(archive).size;
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
}
