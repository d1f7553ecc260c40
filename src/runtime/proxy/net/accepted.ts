import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { type Addr, originalDst } from './orig-dst.js';

/**
 * Prepares an accepted connection and reads where it was headed (SO_ORIGINAL_DST). When that
 * fails the connection cannot be proxied: warns under `logTarget`, drops it and returns undefined.
 */
export function acceptedDestination(socket: Socket, log: Logger, logTarget: string): Addr | undefined {
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  try {
    return originalDst(socket);
  } catch (err) {
    log.warn(logTarget, 'Failed to read the original destination', { error: (err as Error).message });
    socket.destroy();
    return undefined;
  }
}
