// Bidirectional byte copy between two connections, with half-close and error propagation.
import type { Socket } from 'node:net';

/** Resolves with the first error code (or undefined) once both sides are closed. */
export function pipeBoth(a: Socket, b: Socket): Promise<string | undefined> {
  return new Promise((resolve) => {
    let errno: string | undefined;
    let closed = 0;
    const onError = (err: NodeJS.ErrnoException): void => {
      errno ??= err.code ?? 'EIO';
      a.destroy();
      b.destroy();
    };
    const onClose = (): void => {
      if (++closed === 2) resolve(errno);
    };
    a.on('error', onError).once('close', onClose);
    b.on('error', onError).once('close', onClose);
    a.pipe(b);
    b.pipe(a);
    a.resume();
    b.resume();
  });
}
