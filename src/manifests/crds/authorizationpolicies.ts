import { crdVersion, defineCrd } from './define.js';
import { arrayOf, groupName, kindName, localTargetRef, object, objectName, resourceRoot, string } from './schema.js';

const spec = object(
  {
    targetRef: localTargetRef('The resource this policy authorizes access to (a Server, HTTPRoute or Namespace).'),
    requiredAuthenticationRefs: arrayOf(
      object(
        {
          group: groupName(),
          kind: kindName(),
          name: objectName(),
          namespace: string({
            description: 'Namespace of the referent; the policy namespace when unset.',
            maxLength: 253,
          }),
        },
        { required: ['kind', 'name'] },
      ),
      { description: 'Authentications a client must satisfy, all of them, to be authorized.' },
    ),
  },
  { required: ['targetRef', 'requiredAuthenticationRefs'] },
);

export const authorizationPoliciesCrd = defineCrd(
  {
    group: 'policy.linkerd.io',
    kind: 'AuthorizationPolicy',
    plural: 'authorizationpolicies',
    shortNames: ['authzpolicy'],
  },
  [
    crdVersion(
      'v1alpha1',
      resourceRoot('Authorizes clients that satisfy a set of required authentications to access a target.', { spec }),
    ),
  ],
);
