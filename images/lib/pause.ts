import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BlobStore } from './blobs.js';
import { type Layer, writeLayer } from './layer.js';
import { run } from './run.js';

/** Compiles images/pause/pause.c statically and makes the image's only layer: `/pause`. */
export async function pauseLayer(source: string, stage: string, store: BlobStore): Promise<Layer> {
  mkdirSync(stage, { recursive: true });
  const binary = join(stage, 'pause');
  // -s: a stripped binary; the layer ships nothing else, so every byte is the image's size.
  await run('gcc', ['-static', '-Os', '-s', '-Wall', '-Wextra', '-Werror', '-o', binary, source]);
  chmodSync(binary, 0o755);
  return writeLayer(stage, store, { rootOwned: true });
}
