import { crdVersion, defineCrd } from './define.js';
import { arrayOf, groupName, kindName, object, objectName, resourceRoot, string } from './schema.js';

const spec = object(
  {
    identities: arrayOf(string(), {
      description:
        'Proxy identity strings to authenticate. A `*.` prefix matches a domain suffix; `*` matches every identity.',
      minItems: 1,
    }),
    identityRefs: arrayOf(
      object(
        {
          group: groupName(),
          kind: kindName(),
          name: objectName({ description: 'Name of the referent; all resources of the kind when unset.' }),
          namespace: string({ description: 'Namespace of the referent; the policy namespace when unset.' }),
        },
        { required: ['kind'] },
      ),
      { description: 'Resources (such as ServiceAccounts) whose identities are authenticated.', minItems: 1 },
    ),
  },
  { oneOf: [{ required: ['identities'] }, { required: ['identityRefs'] }] },
);

export const meshTlsAuthenticationsCrd = defineCrd(
  {
    group: 'policy.linkerd.io',
    kind: 'MeshTLSAuthentication',
    plural: 'meshtlsauthentications',
    shortNames: ['meshtlsauthn'],
  },
  [crdVersion('v1alpha1', resourceRoot('Authenticates clients by their mesh TLS identity.', { spec }))],
);
