// IdentityProvider backed by the identity controller's Certify API (spec proxy §4.5), through
// the shared identity client. Loaded lazily: static identity runs never open an HTTP/2 client.
import { readFileSync } from 'node:fs';
import { IdentityClient } from '../../clients/identity-client.js';
import { GrpcChannel } from '../../clients/grpc-channel.js';
import type { IdentityKeyMaterial } from '../../clients/identity-key.js';
import type { ProxyConfig } from '../config/config.js';
import { controlDialAddress } from '../config/formats.js';
import type { Logger } from '../log.js';
import type { Credentials, IdentityProvider } from './identity.js';

export function certifyingIdentity(config: ProxyConfig, key: IdentityKeyMaterial, log: Logger): IdentityProvider {
  const { control, localName, trustAnchorsPem, tokenFile, minRefreshMs, maxRefreshMs } = config.identity;
  const tokenBytes = readFileSync(tokenFile);
  if (tokenBytes.length === 0) throw new Error(`${tokenFile} is empty`);
  const channel = new GrpcChannel({
    address: controlDialAddress(control),
    ...(control.identity ? { tls: { ca: trustAnchorsPem, serverName: control.identity } } : {}),
  });
  const client = new IdentityClient({
    channel,
    identity: localName,
    tokenFile,
    key,
    trustAnchorsPem,
    minRefreshMs,
    maxRefreshMs,
  });
  const listeners: Array<(c: Credentials) => void> = [];
  let current: Credentials | undefined;
  client.on('certified', (cert) => {
    current = { certChainPem: cert.certChainPem, keyPem: cert.keyPem, expiresAt: cert.notAfter };
    for (const l of listeners) l(current);
  });
  client.on('error', (err) =>
    log.warn('linkerd_app::identity', 'Failed to obtain a certificate', { error: err.message }),
  );
  const ready = client.start().then(() => undefined);
  return {
    localName,
    trustAnchorsPem,
    current: () => current,
    ready,
    onUpdate: (l) => listeners.push(l),
    close: () => {
      client.stop();
      channel.close();
    },
  };
}
