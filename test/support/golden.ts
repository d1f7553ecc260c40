import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const GOLDEN_ROOT = join(process.cwd(), 'test', 'golden', 'files');

/**
 * Compares `actual` with `test/golden/files/<name>`. Goldens are reviewed like code: they are only
 * (re)written when the run is started with UPDATE_GOLDEN=1, never implicitly.
 */
export function assertGolden(name: string, actual: string): void {
  const path = join(GOLDEN_ROOT, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) assert.fail(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 to create it`);
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from golden ${name} (UPDATE_GOLDEN=1 regenerates)`);
}
