// Image layers: GNU tar of a directory tree, written so the same tree always gives the same bytes
// (and so the same digest, which is what lets images share a layer and warm builds reuse one).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, readdirSync, renameSync, statSync } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BlobStore } from './blobs.js';

export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Layer {
  /** sha256 of the gzipped blob: what the manifest names. */
  digest: string;
  size: number;
  /** sha256 of the uncompressed tar: what the config's rootfs.diff_ids lists, and containerd checks. */
  diffId: string;
  /** Uncompressed size, for the report. */
  tarSize: number;
}

export interface LayerOptions {
  /**
   * Make every entry root:root. Right for trees staged from a checkout (owned by whoever built it);
   * wrong for a Debian rootfs, where e.g. /etc/shadow belongs to group shadow.
   */
  rootOwned: boolean;
  /** Patterns (tar --exclude) left out, relative to the tree. */
  exclude?: string[];
}

/** Counts and hashes the bytes that pass through. */
class Digester extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

function tarArgs(dir: string, options: LayerOptions): string[] {
  const entries = readdirSync(dir).sort();
  if (entries.length === 0) throw new Error(`${dir}: empty layer`);
  return [
    '--create',
    '--file=-',
    `--directory=${dir}`,
    '--format=posix',
    // Without these, pax headers carry the tar process's pid and each file's atime/ctime.
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '--sort=name',
    '--mtime=@0',
    '--numeric-owner',
    ...(options.rootOwned ? ['--owner=0', '--group=0', '--mode=u+rwX,go+rX,go-w'] : []),
    // File capabilities (the proxy's xtables binaries) live in this xattr.
    '--xattrs',
    '--xattrs-include=security.capability',
    ...(options.exclude ?? []).map((p) => `--exclude=${p}`),
    '--',
    ...entries,
  ];
}

/** Tars `dir` into a gzipped layer blob in `store`. */
export async function writeLayer(dir: string, store: BlobStore, options: LayerOptions): Promise<Layer> {
  const tar = spawn('tar', tarArgs(dir, options), { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar ${dir}: exit ${code}\n${stderr}`))));
  });
  const uncompressed = new Digester();
  const compressed = new Digester();
  const tmp = store.tempPath();
  await Promise.all([
    pipeline(tar.stdout, uncompressed, createGzip({ level: 6 }), compressed, createWriteStream(tmp)),
    exited,
  ]);
  const digest = `sha256:${compressed.hash.digest('hex')}`;
  renameSync(tmp, store.path(digest));
  return {
    digest,
    size: statSync(store.path(digest)).size,
    diffId: `sha256:${uncompressed.hash.digest('hex')}`,
    tarSize: uncompressed.bytes,
  };
}
