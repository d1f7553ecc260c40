/** One `-----BEGIN <label>-----` block of a PEM file. */
export interface PemBlock {
  label: string;
  der: Buffer;
}

const BLOCK = /-----BEGIN ([^-\r\n]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every PEM block of `text`, in order; text between blocks is ignored as Go's pem.Decode does. */
export function decodePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = (m[2] ?? '').replace(/\s+/g, '');
    // Go's decoder skips headers (e.g. Proc-Type); they never occur in the keys Linkerd accepts.
    blocks.push({ label: m[1] ?? '', der: Buffer.from(body, 'base64') });
  }
  return blocks;
}

export function encodePem(label: string, der: Uint8Array): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
