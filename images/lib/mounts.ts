import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { run } from './run.js';

/** Mount points at or below `dir`, deepest first (the order they can be unmounted in). */
export function mountsUnder(dir: string): string[] {
  const root = resolve(dir);
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((point) => point.replace(/\\(\d{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((point) => point === root || point.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Unmounts whatever is left mounted below `dir`. Removing a tree that still has e.g. a bind mount of
 * the host's /dev inside would delete the host's files, so callers run this before `rm -r`.
 */
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of mountsUnder(dir)) await run('umount', ['--lazy', point]);
}
