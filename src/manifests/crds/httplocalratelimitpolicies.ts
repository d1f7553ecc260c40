import { column, crdVersion, defineCrd } from './define.js';
import {
  arrayOf,
  DNS_LABEL_PATTERN,
  groupName,
  int64,
  kindName,
  linkerdConditions,
  localTargetRef,
  object,
  objectName,
  resourceRoot,
  string,
} from './schema.js';

function rateLimit(description: string) {
  return object(
    { requestsPerSecond: int64({ description: 'Requests per second allowed.' }) },
    { description, required: ['requestsPerSecond'] },
  );
}

const spec = object(
  {
    targetRef: localTargetRef('The resource the limit applies to; only a Server is meaningful.'),
    total: rateLimit('Limit on all requests to the target, whatever the client.'),
    identity: rateLimit('Limit per client identity.'),
    overrides: arrayOf(
      object(
        {
          requestsPerSecond: int64({ description: 'Requests per second allowed for these clients.' }),
          clientRefs: arrayOf(
            object(
              {
                group: groupName(),
                kind: kindName(),
                namespace: string({
                  description: 'Namespace of the referent; the policy namespace when unset.',
                  minLength: 1,
                  maxLength: 63,
                  pattern: DNS_LABEL_PATTERN,
                }),
                name: objectName(),
              },
              { required: ['kind', 'name'] },
            ),
            { description: 'Clients (such as ServiceAccounts) this override applies to.' },
          ),
        },
        { required: ['requestsPerSecond', 'clientRefs'] },
      ),
      { description: 'Per-client limits that replace `identity` for the clients they name.' },
    ),
  },
  { required: ['targetRef'] },
);

const status = object(
  {
    conditions: linkerdConditions(),
    targetRef: object(
      {
        group: groupName({ default: 'policy.linkerd.io' }),
        kind: kindName({ default: 'Server' }),
        name: objectName(),
      },
      { description: 'The resource the policy was accepted for.', required: ['name'] },
    ),
  },
  { required: ['targetRef'] },
);

export const httpLocalRateLimitPoliciesCrd = defineCrd(
  { group: 'policy.linkerd.io', kind: 'HTTPLocalRateLimitPolicy', plural: 'httplocalratelimitpolicies' },
  [
    crdVersion(
      'v1alpha1',
      resourceRoot('Limits the HTTP request rate a Server accepts, enforced by each proxy locally.', { spec, status }),
      {
        statusSubresource: true,
        printerColumns: [
          column('Target_kind', '.spec.targetRef.kind', 'string', 'The resource kind the policy applies to'),
          column('Target_name', '.spec.targetRef.name', 'string', 'The resource name the policy applies to'),
          column('Total_RPS', '.spec.total.requestsPerSecond', 'integer', 'Overall rate limit for all requests'),
          column('Identity_RPS', '.spec.identity.requestsPerSecond', 'integer', 'Rate limit per client identity'),
        ],
      },
    ),
  ],
);
