import { COMMON_FLAGS, flag } from '../shared/flags.js';

export const PROXY_INJECTOR_FLAGS = {
  ...COMMON_FLAGS,
  addr: flag('string', ':8443', 'address to serve on'),
  'metrics-addr': flag('string', ':9995', 'address to serve scrapable metrics on'),
  'linkerd-namespace': flag('string', 'linkerd', 'control plane namespace'),
  // l5d additions, so the injector also runs outside a pod (tests); defaults are the in-pod mounts.
  'tls-dir': flag('string', '/var/run/linkerd/tls', 'directory holding the serving tls.crt and tls.key'),
  'config-dir': flag('string', '/var/run/linkerd/config', 'directory holding the linkerd-config values file'),
  'trust-roots-dir': flag(
    'string',
    '/var/run/linkerd/identity/trust-roots',
    'directory holding the trust anchors (ca-bundle.crt)',
  ),
} as const;
