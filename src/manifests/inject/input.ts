import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputTooLargeError, MANIFEST_LIMIT, readBoundedFile, readBoundedStream } from '../../util/bounded-read.js';
import { decodeText, InvalidTextError } from '../../util/utf8.js';
import { InputError, type InputSource } from './documents.js';

const URL_TIMEOUT_MS = 30_000;
/** Go's HTTP client gives up after 10 redirects; Linkerd users get the same. */
const MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Where `inject`/`uninject` read from: stdin, an https URL, a file, or a directory tree. */
export interface InputReaders {
  stdin: () => Promise<string>;
  fetchUrl: (url: string) => Promise<string>;
}

export async function readStdin(): Promise<string> {
  return manifestText(await readBoundedStream(process.stdin, 'stdin', MANIFEST_LIMIT), 'stdin');
}

/** A manifest's text; binary or non-UTF-8 input is refused with its position, never rewritten. */
export function manifestText(bytes: Uint8Array, source: string): string {
  try {
    return decodeText(bytes);
  } catch (err) {
    if (err instanceof InvalidTextError) throw new InputError(`${source}:${err.message}`);
    throw err;
  }
}

/**
 * GETs an https URL (inject.md §3.1), following up to 10 redirects to other https URLs, all within one
 * bounded wait. Every failure names the URL the user gave.
 */
export async function fetchUrl(url: string, timeoutMs = URL_TIMEOUT_MS): Promise<string> {
  const { Agent, request } = await import('undici');
  // The signal bounds the whole exchange; the agent's own timeouts cover the TLS handshake, which
  // undici does not abort early.
  const signal = AbortSignal.timeout(timeoutMs);
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const fail = (why: string): Error => new Error(`unable to read URL "${url}": ${why}`);
  try {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      let res;
      try {
        res = await request(current, { method: 'GET', signal, dispatcher: agent });
        const body = manifestText(await readBoundedStream(res.body, url, MANIFEST_LIMIT), url);
        if (res.statusCode === 200) return body;
      } catch (err) {
        if (err instanceof InputTooLargeError || err instanceof InputError) throw err;
        const timedOut = signal.aborted || /timeout/i.test((err as Error).message);
        throw fail(timedOut ? `no response within ${timeoutMs / 1000}s` : (err as Error).message);
      }
      const location = res.headers.location;
      if (!REDIRECT_STATUSES.has(res.statusCode) || typeof location !== 'string') {
        throw new Error(
          `unable to read URL "${url}", server reported ${statusText(res.statusCode)}, status code=${res.statusCode}`,
        );
      }
      if (redirects === MAX_REDIRECTS) throw fail(`stopped after ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, current);
      if (next.protocol !== 'https:') throw fail(`refusing to follow a redirect to non-HTTPS URL "${next.href}"`);
      current = next.href;
    }
  } finally {
    await agent.destroy();
  }
}

function statusText(code: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
  };
  return `${code} ${texts[code] ?? 'Error'}`;
}

function asUrl(arg: string): URL | undefined {
  try {
    const url = new URL(arg);
    return url.host !== '' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Every regular file under `dir`, recursively, in lexical order (hidden files included). */
async function walk(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/** Reads the command's argument into named sources (inject.md §3.1). */
export async function readInputs(
  arg: string,
  readers: InputReaders = { stdin: readStdin, fetchUrl },
): Promise<InputSource[]> {
  if (arg === '-') return [{ name: 'stdin', text: await readers.stdin() }];
  const url = asUrl(arg);
  if (url) {
    if (url.protocol !== 'https:') throw new Error('only HTTPS URLs are allowed');
    return [{ name: arg, text: await readers.fetchUrl(arg) }];
  }
  let info;
  try {
    info = await stat(arg);
  } catch {
    throw new Error(`stat ${arg}: no such file or directory`);
  }
  const files = info.isDirectory() ? await walk(arg) : [arg];
  return Promise.all(
    files.map(async (name) => ({ name, text: manifestText(await readBoundedFile(name, MANIFEST_LIMIT), name) })),
  );
}
