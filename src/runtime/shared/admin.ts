import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listen, type ListenAddress } from './listen.js';

export interface AdminServer {
  server: Server;
  address: ListenAddress;
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

/**
 * /ping (liveness), /ready (readiness) and /metrics, as every controller's admin port serves;
 * /live too, the policy controller's liveness path.
 */
export async function startAdminServer(addr: string, registry: Registry): Promise<AdminServer> {
  let ready = false;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/ping') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('pong\n');
    } else if (path === '/live') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('live\n');
    } else if (path === '/ready') {
      res.writeHead(ready ? 200 : 500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(ready ? 'ok\n' : 'not ready\n');
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(`${String(err)}\n`),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    }
  });
  server.headersTimeout = 15_000;
  const address = await listen(server, addr);
  return {
    server,
    address,
    setReady(value) {
      ready = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
