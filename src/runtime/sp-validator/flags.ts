import { COMMON_FLAGS, flag } from '../shared/flags.js';

export const SP_VALIDATOR_FLAGS = {
  ...COMMON_FLAGS,
  addr: flag('string', ':8443', 'address to serve on'),
  'metrics-addr': flag('string', ':9997', 'address to serve scrapable metrics on'),
  // l5d additions, so the validator also runs outside a pod (tests); defaults are the in-pod mount.
  'tls-dir': flag('string', '/var/run/linkerd/tls', 'directory holding the serving tls.crt and tls.key'),
} as const;
