// The proxy's own key and CSR (spec proxy §4.5 step 1). linkerd2-proxy's entrypoint writes them
// into the identity directory before the proxy starts; l5d's proxy makes them itself when they are
// absent, so an injected pod needs no extra init step. A key that is already there (a restarted
// container on the same emptyDir, or a test harness) is kept, so the identity survives restarts.
import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePem } from '../../../util/pem.js';
import { type IdentityKeyMaterial, certificationRequest, generateKeyAndCsr } from '../../clients/identity-key.js';

export interface KeyMaterialSource {
  material: IdentityKeyMaterial;
  /** `generated` when this start made the key; `loaded` when the directory had one. */
  origin: 'generated' | 'loaded';
  /** Set when a generated key could not be written to the directory (it is still used from memory). */
  persistError?: string;
}

function readNonEmpty(path: string): Buffer | undefined {
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  if (bytes.length === 0) throw new Error(`${path} is empty`);
  return bytes;
}

export async function identityKeyMaterial(dir: string, identity: string): Promise<KeyMaterialSource> {
  const keyPath = join(dir, 'key.p8');
  const csrPath = join(dir, 'csr.der');
  const keyDer = readNonEmpty(keyPath);
  if (keyDer) {
    const key = createPrivateKey({ key: keyDer, format: 'der', type: 'pkcs8' });
    const csrDer = readNonEmpty(csrPath) ?? certificationRequest(identity, key);
    const keyPkcs8 = new Uint8Array(keyDer);
    return {
      material: { keyPkcs8, keyPem: encodePem('PRIVATE KEY', keyPkcs8), csrDer: new Uint8Array(csrDer) },
      origin: 'loaded',
    };
  }
  const material = await generateKeyAndCsr(identity);
  try {
    writeFileSync(csrPath, material.csrDer, { mode: 0o644 });
    writeFileSync(keyPath, material.keyPkcs8, { mode: 0o600 });
    return { material, origin: 'generated' };
  } catch (err) {
    return { material, origin: 'generated', persistError: (err as Error).message };
  }
}
