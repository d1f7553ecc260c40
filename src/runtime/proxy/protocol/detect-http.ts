// HTTP protocol detection on the first bytes of a connection (spec proxy §3.3).
export type HttpDetection = 'http1' | 'h2' | 'not_http';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const VERSION = 'HTTP/1.';

/** Classifies the bytes of one read (at most 1 KiB). Fewer than 14 bytes are never HTTP. */
export function detectHttp(buf: Buffer): HttpDetection {
  if (buf.length < 14) return 'not_http';
  if (buf.subarray(0, H2_PREFACE.length).equals(H2_PREFACE)) return 'h2';
  return looksLikeHttp1RequestLine(buf.toString('latin1', 0, Math.min(buf.length, 1024))) ? 'http1' : 'not_http';
}

// A request line that is complete, or cut off by the end of the buffer, counts as HTTP/1.
function looksLikeHttp1RequestLine(text: string): boolean {
  let i = 0;
  while (i < text.length && TCHAR.test(text.charAt(i))) i++;
  if (i === 0 || i === text.length) return i === text.length && i > 0;
  if (text.charAt(i) !== ' ') return false;
  i++;
  const targetStart = i;
  while (i < text.length && text.charAt(i) > ' ' && text.charAt(i) !== '\x7f') i++;
  if (i === text.length) return true;
  if (i === targetStart || text.charAt(i) !== ' ') return false;
  i++;
  const rest = text.slice(i);
  if (rest.length <= VERSION.length) return VERSION.startsWith(rest);
  if (!rest.startsWith(VERSION)) return false;
  const minor = rest.charAt(VERSION.length);
  if (minor !== '0' && minor !== '1') return false;
  const tail = rest.slice(VERSION.length + 1);
  return tail === '' || tail === '\r' || tail.startsWith('\r\n') || tail.startsWith('\n');
}
