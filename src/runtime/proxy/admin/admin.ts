// The admin server on 4191 (spec proxy §7).
import http from 'node:http';
import type { Logger } from '../log.js';
import { httpDate } from './http-date.js';

export interface AdminDeps {
  isReady: () => boolean;
  renderMetrics: () => string;
  log: Logger;
  env: NodeJS.ProcessEnv;
  shutdownEnabled: boolean;
  shutdown: () => void;
}

function isLocalhost(addr: string | undefined): boolean {
  return addr === '::1' || /^(::ffff:)?127\./.test(addr ?? '');
}

function send(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function handleAdmin(deps: AdminDeps): http.RequestListener {
  return (req, res) => {
    // Probes arrive every few seconds: keep Node's Date#toUTCString (and ICU) out of them.
    res.sendDate = false;
    res.setHeader('date', httpDate(Date.now()));
    const url = new URL(req.url ?? '/', 'http://admin');
    const local = isLocalhost(req.socket.remoteAddress);
    switch (url.pathname) {
      case '/live':
        return send(res, 200, 'live\n');
      case '/ready':
        return deps.isReady() ? send(res, 200, 'ready\n') : send(res, 503, 'not ready\n');
      case '/metrics': {
        const text = deps.renderMetrics();
        if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
          // zlib is loaded on the first compressed scrape only.
          void import('node:zlib').then(({ gzipSync }) => {
            const body = gzipSync(text);
            res.writeHead(200, {
              'content-type': 'text/plain; version=0.0.4',
              'content-encoding': 'gzip',
              'content-length': body.length,
            });
            res.end(body);
          });
          return;
        }
        return send(res, 200, text, { 'content-type': 'text/plain; version=0.0.4' });
      }
      case '/proxy-log-level':
        if (!local) return send(res, 403, 'Requests are only permitted from localhost.');
        if (req.method === 'GET') return send(res, 200, deps.log.filter);
        if (req.method === 'PUT') {
          void readBody(req).then((body) => {
            try {
              deps.log.setFilter(body.trim());
              send(res, 204, '');
            } catch (err) {
              send(res, 400, (err as Error).message);
            }
          });
          return;
        }
        return send(res, 405, '', { allow: 'GET, PUT' });
      case '/env.json': {
        if (req.method !== 'GET') return send(res, 405, '', { allow: 'GET' });
        const accept = String(req.headers['accept'] ?? '*/*');
        if (!/application\/json|\*\/\*|application\/\*/.test(accept)) return send(res, 406, '');
        const query = url.search.slice(1);
        if (query.includes('=')) {
          return send(
            res,
            400,
            JSON.stringify({ error: 'env.json query parameters must be variable names, not key=value pairs' }),
            { 'content-type': 'application/json' },
          );
        }
        const keys = query === '' ? undefined : query.split('&').map(decodeURIComponent);
        const out: Record<string, string | null> = {};
        if (keys) for (const k of keys) out[k] = deps.env[k] ?? null;
        else for (const [k, v] of Object.entries(deps.env)) if (v !== undefined) out[k] = v;
        return send(res, 200, JSON.stringify(out), { 'content-type': 'application/json' });
      }
      case '/shutdown':
        if (req.method !== 'POST') return send(res, 405, '', { allow: 'POST' });
        if (!local) return send(res, 403, 'Requests are only permitted from localhost.');
        if (!deps.shutdownEnabled) return send(res, 404, 'shutdown endpoint is not enabled\n');
        send(res, 200, 'shutdown\n');
        deps.shutdown();
        return;
      default:
        res.writeHead(404, { 'content-length': 0 });
        res.end();
    }
  };
}
