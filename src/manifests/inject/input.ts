import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputSource } from './documents.js';

const URL_TIMEOUT_MS = 30_000;

/** Where `inject`/`uninject` read from: stdin, an https URL, a file, or a directory tree. */
export interface InputReaders {
  stdin: () => Promise<string>;
  fetchUrl: (url: string) => Promise<string>;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** GETs an https URL with a bounded wait; any failure names the URL (inject.md §3.1). */
export async function fetchUrl(url: string): Promise<string> {
  const { request } = await import('undici');
  let res;
  try {
    res = await request(url, { method: 'GET', headersTimeout: URL_TIMEOUT_MS, bodyTimeout: URL_TIMEOUT_MS });
  } catch (err) {
    throw new Error(`unable to read URL "${url}": ${(err as Error).message}`);
  }
  const body = await res.body.text();
  if (res.statusCode !== 200) {
    throw new Error(
      `unable to read URL "${url}", server reported ${statusText(res.statusCode)}, status code=${res.statusCode}`,
    );
  }
  return body;
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
  return Promise.all(files.map(async (name) => ({ name, text: await readFile(name, 'utf8') })));
}
