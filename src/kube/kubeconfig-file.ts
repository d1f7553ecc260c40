import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { InputTooLargeError, readBoundedFileSync } from '../util/bounded-read.js';
import { decodeText, InvalidTextError } from '../util/utf8.js';

/** The kubeconfig files client-go's loading rules read: `$KUBECONFIG`'s list, else `~/.kube/config`. */
export function defaultKubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  if (list.length > 0) return list;
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

export class KubeconfigError extends Error {
  constructor(path: string, problem: string) {
    super(`error loading config file "${path}": ${problem}`);
    this.name = 'KubeconfigError';
  }
}

const LIST_FIELDS = ['clusters', 'contexts', 'users'] as const;

/**
 * Reads and checks one kubeconfig before client-node does: bounded in size, text, YAML, a mapping
 * whose lists are lists. Every problem names the file and where, never the file's bytes (a garbage
 * file must not reach the terminal, and a kubeconfig's bytes may be credentials).
 */
export function checkKubeconfigFile(path: string): void {
  let bytes: Buffer;
  try {
    bytes = readBoundedFileSync(path);
  } catch (err) {
    if (err instanceof InputTooLargeError) throw new KubeconfigError(path, 'the file is larger than 16 MiB');
    const code = (err as NodeJS.ErrnoException).code;
    throw new KubeconfigError(path, code === 'ENOENT' ? 'no such file or directory' : (code ?? 'cannot read it'));
  }
  let text: string;
  try {
    text = decodeText(bytes);
  } catch (err) {
    const { problem, position } = err as InvalidTextError;
    throw new KubeconfigError(path, `${problem} at line ${position.line}, column ${position.col}`);
  }
  if (text.trim() === '') throw new KubeconfigError(path, 'the file is empty');
  const doc: Document = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const [line, col] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [0, 0];
    throw new KubeconfigError(path, `invalid YAML at line ${line}, column ${col} (${error.code})`);
  }
  if (!isMap(doc.contents)) throw new KubeconfigError(path, 'not a kubeconfig: the document is not a mapping');
  for (const field of LIST_FIELDS) {
    const node = doc.contents.get(field, true);
    if (node === undefined || (isScalar(node) && node.value === null)) continue;
    if (!isSeq(node) || !node.items.every((item) => isMap(item))) {
      throw new KubeconfigError(path, `not a kubeconfig: "${field}" must be a list of mappings`);
    }
  }
}

/** Files a kubeconfig entry points at (CA, client certificate and key), read bounded before client-node does. */
export function checkReferencedFile(kind: string, path: string | undefined): void {
  if (path === undefined || path === '') return;
  try {
    readBoundedFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = err instanceof InputTooLargeError ? 'larger than 16 MiB' : (code ?? 'cannot read it');
    throw new Error(`unable to read ${kind} file "${path}": ${why}`);
  }
}

/** One line of a client-node error, without control characters (its messages may quote the file). */
export function safeMessage(err: unknown): string {
  const first = ((err as Error).message ?? String(err)).split('\n')[0] ?? '';
  // eslint-disable-next-line no-control-regex
  return first.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?').slice(0, 200);
}
