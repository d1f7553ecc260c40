// Reads the first bytes of a connection for protocol detection, then puts them back so the
// next stage (TLS, HTTP server, byte pipe) sees the stream from its beginning.
import type { Duplex } from 'node:stream';

export type PrefixResult =
  { kind: 'data'; buf: Buffer } | { kind: 'timeout'; buf: Buffer } | { kind: 'closed'; buf: Buffer };

/**
 * Reads until `enough(buf)` is true, `max` bytes were read, the timeout fires or the peer
 * closes. The bytes read are unshifted back and the stream is left paused.
 */
export function readPrefix(
  stream: Duplex,
  timeoutMs: number,
  enough: (buf: Buffer) => boolean,
  max: number,
): Promise<PrefixResult> {
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0);
    const finish = (kind: PrefixResult['kind']): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      stream.off('error', onEnd);
      stream.pause();
      if (buf.length > 0 && !stream.destroyed) stream.unshift(buf);
      resolve({ kind, buf });
    };
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      if (enough(buf) || buf.length >= max) finish('data');
    };
    const onEnd = (): void => finish('closed');
    const timer = setTimeout(() => finish('timeout'), Math.min(timeoutMs, 2 ** 31 - 1));
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
    stream.once('error', onEnd);
    stream.resume();
  });
}
