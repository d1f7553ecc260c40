import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { listen, type ListenAddress } from './listen.js';
import type { Logger } from './log.js';

const BODY_LIMIT = 10 * 1024 * 1024;

export interface HttpReply {
  status: number;
  contentType: string;
  body: string;
}

/** Where the serving key pair is read from: a Secret mount directory, or explicit files. */
export interface KeyPairPaths {
  cert: string;
  key: string;
}

export function keyPairIn(dir: string): KeyPairPaths {
  return { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
}

export interface WebhookServer {
  address: ListenAddress;
  close(): Promise<void>;
}

function readKeyPair(paths: KeyPairPaths): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(paths.cert), key: readFileSync(paths.key) };
}

/**
 * The request body, or undefined once it passes BODY_LIMIT. The rest of an oversized body is
 * drained and dropped rather than the socket destroyed, so the client reads the 413 instead of a
 * connection reset.
 */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      chunks.length = 0;
      req.resume();
      resolve(undefined);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export interface WebhookOptions {
  /** Answers only POSTs to `/` (others get 404), as the policy controller's webhook does. */
  rootPostOnly?: boolean;
}

const TOO_LARGE: HttpReply = { status: 413, contentType: 'text/plain', body: 'request body too large\n' };
const FAILED: HttpReply = { status: 500, contentType: 'text/plain', body: 'internal error\n' };

/** The handler's reply; anything it throws (or rejects with) is logged and answered 500. */
async function replyTo(body: string, handle: (body: string) => Promise<HttpReply>, log: Logger): Promise<HttpReply> {
  try {
    return await handle(body);
  } catch (err) {
    log.error({ err: String(err) }, 'failed to handle admission request');
    return FAILED;
  }
}

/**
 * HTTPS (TLS ≥ 1.3) serving admission webhooks, key pair reloaded when the Secret mount swaps its
 * `..data` link. An unreadable certificate at start throws. Bodies are bounded; a failing handler
 * is answered with 500 rather than left hanging.
 */
export async function startWebhookServer(
  addr: string,
  tls: KeyPairPaths,
  handle: (body: string) => Promise<HttpReply>,
  log: Logger,
  opts: WebhookOptions = {},
): Promise<WebhookServer> {
  const tlsDir = dirname(tls.cert);
  const server: Server = createServer({ ...readKeyPair(tls), minVersion: 'TLSv1.3' }, (req, res) => {
    if (opts.rootPostOnly === true && (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/')) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    readBody(req).then(
      async (body) => {
        const reply = body === undefined ? TOO_LARGE : await replyTo(body, handle, log);
        // An oversized request is not read to its end: close the connection after answering.
        const headers = body === undefined ? { connection: 'close' } : {};
        res.writeHead(reply.status, { 'content-type': reply.contentType, ...headers }).end(reply.body);
      },
      (err: unknown) => {
        log.warn({ err: String(err) }, 'failed to read request body');
        if (!res.headersSent) res.writeHead(400).end();
      },
    );
  });
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(tlsDir, (_event, file) => {
      if (file !== '..data' && file !== basename(tls.cert)) return;
      try {
        server.setSecureContext({ ...readKeyPair(tls), minVersion: 'TLSv1.3' });
        log.info('Updated certificate');
      } catch (err) {
        log.error({ err: String(err) }, 'failed to reload certificate');
      }
    });
  } catch (err) {
    log.warn({ err: String(err) }, 'cannot watch the certificate directory; no hot reload');
  }
  const address = await listen(server, addr);
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        watcher?.close();
        const force = setTimeout(() => server.closeAllConnections(), 5000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
