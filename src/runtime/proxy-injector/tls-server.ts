import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { listen, type ListenAddress } from '../shared/listen.js';
import type { Logger } from '../shared/log.js';
import type { HttpReply } from './admission.js';

const BODY_LIMIT = 10 * 1024 * 1024;

export interface WebhookServer {
  address: ListenAddress;
  close(): Promise<void>;
}

function readKeyPair(dir: string): { cert: Buffer; key: Buffer } {
  return { cert: readFileSync(join(dir, 'tls.crt')), key: readFileSync(join(dir, 'tls.key')) };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * HTTPS (TLS ≥ 1.3) on any path, certificate from `tlsDir`, reloaded when the Secret mount swaps its
 * `..data` link. An unreadable certificate at start throws.
 */
export async function startWebhookServer(
  addr: string,
  tlsDir: string,
  handle: (body: string) => Promise<HttpReply>,
  log: Logger,
): Promise<WebhookServer> {
  const server: Server = createServer({ ...readKeyPair(tlsDir), minVersion: 'TLSv1.3' }, (req, res) => {
    readBody(req).then(
      async (body) => {
        const reply =
          body === undefined
            ? { status: 413, contentType: 'text/plain', body: 'request body too large\n' }
            : await handle(body);
        res.writeHead(reply.status, { 'content-type': reply.contentType }).end(reply.body);
      },
      (err: unknown) => {
        log.warn({ err: String(err) }, 'failed to read request body');
        res.writeHead(400).end();
      },
    );
  });
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(tlsDir, (_event, file) => {
      if (file !== '..data') return;
      try {
        server.setSecureContext({ ...readKeyPair(tlsDir), minVersion: 'TLSv1.3' });
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
