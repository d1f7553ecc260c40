// SO_ORIGINAL_DST through the native addon in native/ (built by `npm run build:native`).
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface OrigDstAddon {
  originalDst(fd: number, ipv6: boolean): [string, number];
}

const ADDON_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'native',
  'build',
  'Release',
  'orig_dst.node',
);

let addon: OrigDstAddon | undefined;

/** Loads the addon; throws a clear error when it has not been built. */
export function loadOrigDstAddon(path: string = ADDON_PATH): void {
  if (addon) return;
  try {
    addon = createRequire(import.meta.url)(path) as OrigDstAddon;
  } catch (err) {
    throw new Error(
      `the SO_ORIGINAL_DST addon is not built (${path}): run \`npm run build:native\` (${(err as Error).message})`,
    );
  }
}

export interface Addr {
  ip: string;
  port: number;
}

export function originalDst(socket: Socket): Addr {
  loadOrigDstAddon();
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) throw new Error('accepted socket has no file descriptor');
  const local = socket.localAddress ?? '';
  const ipv6 = isIP(local) === 6 && !/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(local);
  const [ip, port] = (addon as OrigDstAddon).originalDst(fd, ipv6);
  return { ip, port };
}

// main.ts still imports the old name.
