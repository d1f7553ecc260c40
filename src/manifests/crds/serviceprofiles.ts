import { crdVersion, defineCrd } from './define.js';
import { arrayOf, boolean, int32, intOrString, object, opaqueObject, resourceRoot, string } from './schema.js';
import type { JSONSchemaProps } from './types.js';

// Kubernetes resource.Quantity syntax: weights are written like `500m` or `1`.
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** Match trees nest arbitrarily, so their sub-conditions are kept as opaque objects. */
function subConditions(description: string): JSONSchemaProps {
  return arrayOf(opaqueObject(), { description });
}

const requestCondition = object(
  {
    pathRegex: string({ description: 'Regular expression the request path must match in full.' }),
    method: string({ description: 'HTTP method the request must use.' }),
    all: subConditions('Request matches that must all match.'),
    any: subConditions('Request matches of which at least one must match.'),
    not: opaqueObject({ description: 'A request match that must not match.' }),
  },
  { description: 'Which requests belong to this route.' },
);

const responseCondition = object(
  {
    all: subConditions('Response matches that must all match.'),
    any: subConditions('Response matches of which at least one must match.'),
    not: opaqueObject({ description: 'A response match that must not match.' }),
    status: object(
      {
        min: int32({ description: 'Lowest matching status code (inclusive).' }),
        max: int32({ description: 'Highest matching status code (inclusive).' }),
      },
      { description: 'Range of response status codes.' },
    ),
  },
  { description: 'Which responses belong to this class.' },
);

const route = object(
  {
    name: string({ description: 'Route name, used as the `rt_route` metrics label.' }),
    condition: requestCondition,
    isRetryable: boolean({ description: 'Failed requests on this route may be retried.' }),
    timeout: string({ description: 'Go duration after which a request on this route is cancelled.' }),
    responseClasses: arrayOf(
      object(
        {
          condition: responseCondition,
          isFailure: boolean({ description: 'Responses of this class count as failures.' }),
        },
        { required: ['condition'] },
      ),
      { description: 'Classifies responses as successes or failures.' },
    ),
  },
  { required: ['name', 'condition'] },
);

function profileSpec(required: string[]): JSONSchemaProps {
  return object(
    {
      dstOverrides: arrayOf(
        object({
          authority: string({ description: 'Destination authority (`host:port`) to send traffic to.' }),
          weight: intOrString({ description: 'Relative weight of this destination.', pattern: QUANTITY_PATTERN }),
        }),
        // Upstream places this list on the array, where the API server ignores it; kept for parity.
        { description: 'Splits traffic between destinations.', required: ['authority', 'weight'] },
      ),
      opaquePorts: arrayOf(string(), { description: 'Ports whose traffic is treated as opaque TCP.' }),
      retryBudget: object(
        {
          minRetriesPerSecond: int32({ description: 'Retries allowed per second regardless of the ratio.' }),
          retryRatio: { type: 'number', format: 'float', description: 'Retries allowed as a fraction of requests.' },
          ttl: string({ description: 'Go duration over which the ratio is computed.' }),
        },
        {
          description: 'Limits retries to a fraction of the request volume.',
          required: ['minRetriesPerSecond', 'retryRatio', 'ttl'],
        },
      ),
      routes: arrayOf(route, { description: 'Routes of the service, matched in order.' }),
    },
    required.length > 0 ? { required } : {},
  );
}

const DESCRIPTION = 'Per-route metrics, retries and timeouts for a service.';

export const serviceProfilesCrd = defineCrd(
  { group: 'linkerd.io', kind: 'ServiceProfile', plural: 'serviceprofiles', shortNames: ['sp'] },
  [
    crdVersion('v1alpha1', resourceRoot(DESCRIPTION, { spec: profileSpec(['routes']) }, { specRequired: false })),
    crdVersion('v1alpha2', resourceRoot(DESCRIPTION, { spec: profileSpec([]) }, { specRequired: false })),
  ],
);
