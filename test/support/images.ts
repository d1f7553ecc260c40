// l5d's images as OCI archives for the test bed node (images/build.sh: cached Debian base layers,
// the package built by `npm run build` on top). Rebuilt per run, so the pods run this checkout.
import { join } from 'node:path';
import { REPO_ROOT, run } from './testbed.js';

export interface BuiltImages {
  /** Directory of the `.tar` OCI archives, as testbed/up.sh --node imports them. */
  dir: string;
  log: string;
}

export async function buildImages(): Promise<BuiltImages> {
  const dir = join(REPO_ROOT, 'build', 'images');
  const r = await run('bash', [join(REPO_ROOT, 'images', 'build.sh')], {
    env: { ...process.env, L5D_IMAGES_OUT: dir },
    timeoutMs: 900_000,
  });
  return { dir, log: r.stderr + r.stdout };
}
