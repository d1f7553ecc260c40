/** Where a byte sequence stops being what it must be: 1-based line and column (in characters). */
export interface TextPosition {
  line: number;
  col: number;
}

// ignoreBOM keeps a leading BOM in the text, as readFile(…, 'utf8') did, so untouched input stays byte-identical.
const FATAL = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The line:col of byte `offset` in `bytes`, counting characters of the valid prefix. */
export function positionOf(bytes: Uint8Array, offset: number): TextPosition {
  const prefix = Buffer.from(bytes.buffer, bytes.byteOffset, offset).toString('utf8');
  const lines = prefix.split('\n');
  return { line: lines.length, col: [...(lines.at(-1) ?? '')].length + 1 };
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    try {
      FATAL.decode(bytes.subarray(i, i + len));
    } catch {
      return i;
    }
    i += len;
  }
  return bytes.length;
}

export class InvalidTextError extends Error {
  constructor(
    readonly problem: string,
    readonly position: TextPosition,
  ) {
    super(`${position.line}:${position.col}: ${problem}`);
    this.name = 'InvalidTextError';
  }
}

/**
 * Decodes UTF-8 text that must be text: invalid sequences and control characters other than tab,
 * newline and carriage return (NUL, ESC, …: binary input) throw with their position, instead of
 * becoming U+FFFD or reaching a terminal.
 */
export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = FATAL.decode(bytes);
  } catch {
    throw new InvalidTextError('invalid UTF-8', positionOf(bytes, firstInvalidByte(bytes)));
  }
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.exec(text);
  if (control) {
    const before = text.slice(0, control.index).split('\n');
    const code = control[0].charCodeAt(0).toString(16).padStart(2, '0');
    throw new InvalidTextError(`control character 0x${code} (binary input?)`, {
      line: before.length,
      col: [...(before.at(-1) ?? '')].length + 1,
    });
  }
  return text;
}
