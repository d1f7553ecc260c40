// node:http2 costs about 2 MiB of RSS; it is loaded with the first HTTP/2 connection.
import type http2 from 'node:http2';
import type * as h2 from './h2.js';

export type H2Runtime = typeof h2 & { http2: typeof http2 };

let loading: Promise<H2Runtime> | undefined;

export function loadH2(): Promise<H2Runtime> {
  loading ??= Promise.all([import('node:http2'), import('./h2.js')]).then(([m, helpers]) => ({
    ...helpers,
    http2: m.default,
  }));
  return loading;
}
