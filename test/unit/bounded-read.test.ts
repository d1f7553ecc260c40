import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readBoundedFile, readBoundedFileSync, readBoundedStream } from '../../src/util/bounded-read.js';

test('bounded readers: up to the limit is read, one byte more fails naming the source', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'l5d-bounded-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const exact = join(dir, 'exact');
  const over = join(dir, 'over');
  writeFileSync(exact, Buffer.alloc(3000, 1));
  writeFileSync(over, Buffer.alloc(3001, 1));
  assert.equal((await readBoundedFile(exact, 3000)).length, 3000);
  assert.equal(readBoundedFileSync(exact, 3000).length, 3000);
  const message = `${over}: input is larger than 3000 bytes; refusing to read it`;
  await assert.rejects(readBoundedFile(over, 3000), { message });
  assert.throws(() => readBoundedFileSync(over, 3000), { message });
  await assert.rejects(readBoundedFile('/dev/zero', 1024 * 1024), {
    message: /^\/dev\/zero: input is larger than 1 MiB/,
  });
  const stream = (n: number) => Readable.from([Buffer.alloc(n - 1), Buffer.alloc(1)]);
  assert.equal((await readBoundedStream(stream(100), 'stdin', 100)).length, 100);
  await assert.rejects(readBoundedStream(stream(101), 'stdin', 100), {
    message: /^stdin: input is larger than 100 bytes/,
  });
});
