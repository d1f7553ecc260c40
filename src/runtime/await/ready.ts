// Polls the proxy's admin server: `GET /ready` until it answers 2xx, and `POST /shutdown`.
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Upper bound of a single readiness request, as upstream. */
const REQUEST_TIMEOUT_MS = 5000;

class RequestTimeout extends Error {}

export type Readiness = { ready: true } | { ready: false; lastError: string };

export interface WaitOptions {
  port: number;
  backoffMs: number;
  timeoutMs?: number;
}

export async function waitUntilReady({ port, backoffMs, timeoutMs }: WaitOptions): Promise<Readiness> {
  const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  let lastError: string | undefined;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { ready: false, lastError: lastError ?? 'no readiness check completed' };
    const budget = Math.min(REQUEST_TIMEOUT_MS, remaining);
    try {
      const status = await adminRequest(port, 'GET', '/ready', budget);
      if (status >= 200 && status < 300) return { ready: true };
      lastError = `GET /ready answered ${status}`;
    } catch (err) {
      // A check cut short by the overall deadline says less than the one before it.
      const cutShort = err instanceof RequestTimeout && budget < REQUEST_TIMEOUT_MS;
      if (!cutShort || lastError === undefined) lastError = `GET /ready failed: ${(err as Error).message}`;
    }
    const pause = Math.min(backoffMs, deadline - Date.now());
    if (pause > 0) await sleep(pause);
  }
}

/** Asks the proxy to shut down; a proxy that is already gone is not an error worth failing for. */
export async function requestShutdown(port: number): Promise<string | undefined> {
  try {
    const status = await adminRequest(port, 'POST', '/shutdown', REQUEST_TIMEOUT_MS);
    return status >= 200 && status < 300 ? undefined : `POST /shutdown answered ${status}`;
  } catch (err) {
    return `POST /shutdown failed: ${(err as Error).message}`;
  }
}

function adminRequest(port: number, method: string, path: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent: false, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', (err) =>
      reject(err.name === 'AbortError' ? new RequestTimeout(`no answer within ${timeoutMs}ms`) : err),
    );
    req.end();
  });
}
