import { column, crdVersion, defineCrd } from './define.js';
import { arrayOf, boolean, labelSelector, networks, object, resourceRoot, string } from './schema.js';

const spec = object(
  {
    server: object(
      {
        name: string({ description: 'Name of a Server in the same namespace.' }),
        selector: labelSelector('Selects Servers in the same namespace by label.'),
      },
      {
        description: 'The Servers this authorization applies to.',
        oneOf: [{ required: ['name'] }, { required: ['selector'] }],
      },
    ),
    client: object(
      {
        networks: networks('Client networks that are authorized; all networks when unset.'),
        unauthenticated: boolean({ description: 'Authorize clients without any authentication.' }),
        meshTLS: object(
          {
            unauthenticatedTLS: boolean({ description: 'Authorize TLS clients without a mesh identity.' }),
            identities: arrayOf(string(), { description: 'Authorized proxy identity strings (`*` prefix wildcards).' }),
            serviceAccounts: arrayOf(
              object(
                {
                  name: string({ description: 'ServiceAccount name.' }),
                  namespace: string({
                    description: 'ServiceAccount namespace; the authorization namespace when unset.',
                  }),
                },
                { required: ['name'] },
              ),
              { description: 'Authorized ServiceAccounts.' },
            ),
          },
          { description: 'Authorizes clients with mesh TLS.' },
        ),
      },
      { description: 'The clients that are authorized.' },
    ),
  },
  { required: ['server', 'client'] },
);

const schema = resourceRoot('Authorizes clients to access Servers (superseded by AuthorizationPolicy).', { spec });

export const serverAuthorizationsCrd = defineCrd(
  {
    group: 'policy.linkerd.io',
    kind: 'ServerAuthorization',
    plural: 'serverauthorizations',
    shortNames: ['saz', 'serverauthz', 'srvauthz'],
  },
  [
    crdVersion('v1alpha1', schema, {
      deprecationWarning:
        'policy.linkerd.io/v1alpha1 ServerAuthorization is deprecated; use policy.linkerd.io/v1beta1 ServerAuthorization',
    }),
    crdVersion('v1beta1', schema, {
      printerColumns: [column('Server', '.spec.server.name', 'string', 'The server that this grants access to')],
    }),
  ],
);
