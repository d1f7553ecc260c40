import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

/** Files the CLI reads as configuration: certificates, keys, values, kubeconfig, `--set-file`. */
export const CONFIG_FILE_LIMIT = 16 * 1024 * 1024;
/** Manifest streams (`inject`/`uninject` input): large clusters' exports, still finite. */
export const MANIFEST_LIMIT = 256 * 1024 * 1024;

const CHUNK = 1024 * 1024;

/** Thrown as is by every reader's caller: its message already names the source. */
export class InputTooLargeError extends Error {
  constructor(source: string, limit: number) {
    super(`${source}: input is larger than ${formatBytes(limit)}; refusing to read it`);
    this.name = 'InputTooLargeError';
  }
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

/** Chunks read so far, failing (naming the source) once they pass the limit. */
class BoundedChunks {
  private readonly chunks: Buffer[] = [];
  private total = 0;

  constructor(
    private readonly source: string,
    private readonly limit: number,
  ) {}

  /** A buffer for the next read: one byte past the limit at most, so "more" is seen without reading it all. */
  nextBuffer(): Buffer {
    return Buffer.allocUnsafe(Math.min(CHUNK, this.limit + 1 - this.total));
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.total > this.limit) throw new InputTooLargeError(this.source, this.limit);
    this.chunks.push(chunk);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.total);
  }
}

/**
 * Reads at most `limit` bytes of a file, failing (naming it) as soon as there is more. The size is
 * never trusted from stat: `/dev/zero`, FIFOs and procfs files report 0 or lie.
 */
export async function readBoundedFile(path: string, limit = CONFIG_FILE_LIMIT): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const acc = new BoundedChunks(path, limit);
    for (;;) {
      const buf = acc.nextBuffer();
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return acc.bytes();
      acc.push(buf.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

/** The synchronous twin of readBoundedFile, for the option parsers that cannot await. */
export function readBoundedFileSync(path: string, limit = CONFIG_FILE_LIMIT): Buffer {
  const fd = openSync(path, 'r');
  try {
    const acc = new BoundedChunks(path, limit);
    for (;;) {
      const buf = acc.nextBuffer();
      const bytesRead = readSync(fd, buf, 0, buf.length, null);
      if (bytesRead === 0) return acc.bytes();
      acc.push(buf.subarray(0, bytesRead));
    }
  } finally {
    closeSync(fd);
  }
}

/** Collects a byte stream (stdin, an HTTP body) up to `limit` bytes; more fails naming `source`. */
export async function readBoundedStream(
  stream: AsyncIterable<Uint8Array | string>,
  source: string,
  limit = CONFIG_FILE_LIMIT,
): Promise<Buffer> {
  const acc = new BoundedChunks(source, limit);
  for await (const chunk of stream) {
    acc.push(
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
  }
  return acc.bytes();
}
