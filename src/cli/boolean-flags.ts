interface FlagShape {
  type: string;
  allowNo?: boolean;
  default?: unknown;
}

/**
 * Linkerd (cobra) accepts `--flag=true|false` for boolean flags and users' scripts rely on it
 * (`--enable-endpoint-slices=false`, `--native-sidecar=false`); oclif does not. Rewrite those
 * assignments before oclif parses: `=true` becomes the bare flag; `=false` becomes `--no-flag` when
 * the flag allows it, and disappears when false is already the default.
 */
export function normalizeBooleanAssignments(argv: string[], flags: Record<string, FlagShape | undefined>): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === '--') {
      out.push(...argv.slice(argv.indexOf(arg)));
      break;
    }
    const m = /^--([^=]+)=(true|false)$/i.exec(arg);
    const name = m?.[1];
    const flag = name === undefined ? undefined : flags[name];
    if (!m || !flag || flag.type !== 'boolean') {
      out.push(arg);
      continue;
    }
    if (m[2]?.toLowerCase() === 'true') out.push(`--${name}`);
    else if (flag.allowNo) out.push(`--no-${name}`);
    else if (flag.default !== false && flag.default !== undefined)
      throw new Error(`flag --${name} cannot be set to false`);
  }
  return out;
}
