/**
 * Helm's value flags: `-f/--values` (files or http(s) URLs, merged in order), then every `--set`, every
 * `--set-string`, every `--set-file` (Helm's order), each later assignment winning.
 */
import {
  InputTooLargeError,
  readBoundedFile,
  readBoundedFileSync,
  readBoundedStream,
} from '../../util/bounded-read.js';
import { LineCounter } from 'yaml';
import { parseYamlDocument } from '../yaml/parse-document.js';
import { KNOWN_TOP_LEVEL_KEYS } from './defaults.js';
import { deepMerge, isPlainObject } from './merge.js';
import { parseSetInto, stringReader, typedReader, type ValueReader } from './strvals.js';
import type { ValuesTree } from './types.js';

export interface ValueFlags {
  values?: readonly string[];
  set?: readonly string[];
  setString?: readonly string[];
  setFile?: readonly string[];
}

export interface ValueSourceIO {
  readText(path: string): Promise<string>;
  fetchText(url: string): Promise<string>;
  readTextSync(path: string): string;
}

async function fetchText(url: string): Promise<string> {
  // undici is loaded only when a URL is actually given, to keep the CLI's start-up cheap.
  const { request } = await import('undici');
  const res = await request(url);
  const body = (await readBoundedStream(res.body, url)).toString('utf8');
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new Error(`failed to fetch ${url}: server reported status code ${res.statusCode}`);
  }
  return body;
}

export const nodeIO: ValueSourceIO = {
  readText: async (path) => (await readBoundedFile(path)).toString('utf8'),
  fetchText,
  readTextSync: (path) => readBoundedFileSync(path).toString('utf8'),
};

/** Parses a values file; errors name the source and the line:column. */
export function parseValuesYaml(text: string, source: string): ValuesTree {
  const lineCounter = new LineCounter();
  const doc = parseYamlDocument(text, { version: '1.1', lineCounter, prettyErrors: false });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new Error(`failed to parse ${source}: ${line}:${col}: ${error.message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) throw new Error(`failed to parse ${source}: 1:1: values must be a YAML map`);
  return value;
}

function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

type SetFlagName = '--set' | '--set-string' | '--set-file';

function applySetFlag(flag: SetFlagName, expression: string, into: ValuesTree, reader: ValueReader): void {
  let assignments: { first: string; path: string }[];
  try {
    assignments = parseSetInto(expression, into, reader);
  } catch (err) {
    throw new Error(`failed parsing ${flag} data: ${(err as Error).message}`);
  }
  const unknown = assignments.find((a) => !KNOWN_TOP_LEVEL_KEYS.has(a.first));
  if (unknown) throw new Error(`unknown value key "${unknown.path}" in ${flag} "${expression}"`);
}

/** Applies `--set`, `--set-string` and `--set-file` (in Helm's order) onto `into`, which is mutated. */
export function applySetFlags(
  flags: ValueFlags,
  into: ValuesTree,
  io: Pick<ValueSourceIO, 'readTextSync'> = nodeIO,
): void {
  for (const e of flags.set ?? []) applySetFlag('--set', e, into, typedReader);
  for (const e of flags.setString ?? []) applySetFlag('--set-string', e, into, stringReader);
  const fileReader: ValueReader = (path) => {
    try {
      return io.readTextSync(path);
    } catch (err) {
      if (err instanceof InputTooLargeError) throw err;
      throw new Error(`cannot read file "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  for (const e of flags.setFile ?? []) applySetFlag('--set-file', e, into, fileReader);
}

/**
 * The user's overrides from all value flags: files/URLs merged in order (nulls kept, so they still delete
 * chart keys once laid over the defaults with `deepMerge`), then the `--set*` flags on top.
 */
export async function readValueFlags(flags: ValueFlags, io: ValueSourceIO = nodeIO): Promise<ValuesTree> {
  let merged: ValuesTree = {};
  for (const source of flags.values ?? []) {
    let text: string;
    try {
      text = isUrl(source) ? await io.fetchText(source) : await io.readText(source);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(code ? `failed to read values file ${source}: ${code}` : (err as Error).message);
    }
    merged = deepMerge(merged, parseValuesYaml(text, source), { nullDeletes: false });
  }
  applySetFlags(flags, merged, io);
  return merged;
}
