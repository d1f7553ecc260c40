/**
 * Hint URL prefix for a CLI version: stable builds point at their minor's docs
 * (`stable-2.14.10` → `https://linkerd.io/2.14/checks/#`), everything else at `/2/`.
 */
export function hintBaseFor(cliVersion: string): string {
  const m = /^stable-(\d+\.\d+)\./.exec(cliVersion);
  return `https://linkerd.io/${m ? m[1] : '2'}/checks/#`;
}
