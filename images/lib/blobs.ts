// A content-addressed blob directory laid out as an OCI layout's blobs/, shared by every image and
// every run, so a layer that did not change is written once and linked into each archive.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, copyFileSync, writeFileSync, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export class BlobStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'blobs', 'sha256');
    mkdirSync(this.dir, { recursive: true });
  }

  path(digest: string): string {
    const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
    if (!hex) throw new Error(`not a sha256 digest: ${digest}`);
    return join(this.dir, hex);
  }

  has(digest: string): boolean {
    return existsSync(this.path(digest));
  }

  /** A scratch file on the store's filesystem, so finished blobs can be renamed into place. */
  tempPath(): string {
    return join(this.dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  /** Stores a JSON document (config, manifest) as a blob. */
  putJson(mediaType: string, value: unknown): Descriptor {
    const bytes = Buffer.from(JSON.stringify(value));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (!this.has(digest)) {
      const tmp = this.tempPath();
      writeFileSync(tmp, bytes);
      renameSync(tmp, this.path(digest));
    }
    return { mediaType, digest, size: bytes.length };
  }

  size(digest: string): number {
    return statSync(this.path(digest)).size;
  }

  /** Puts a blob into another layout's blobs/sha256 (a hard link when on the same filesystem). */
  linkInto(digest: string, targetDir: string): void {
    const target = join(targetDir, this.path(digest).slice(this.dir.length + 1));
    if (existsSync(target)) return;
    try {
      linkSync(this.path(digest), target);
    } catch {
      copyFileSync(this.path(digest), target);
    }
  }
}
