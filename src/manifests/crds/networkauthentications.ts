import { crdVersion, defineCrd } from './define.js';
import { networks, object, resourceRoot } from './schema.js';

const spec = object(
  { networks: networks('Client networks that authenticate; a client address must fall in one of them.') },
  { required: ['networks'] },
);

export const networkAuthenticationsCrd = defineCrd(
  {
    group: 'policy.linkerd.io',
    kind: 'NetworkAuthentication',
    plural: 'networkauthentications',
    shortNames: ['netauthn', 'networkauthn'],
  },
  [crdVersion('v1alpha1', resourceRoot('Authenticates clients by their source network.', { spec }))],
);
