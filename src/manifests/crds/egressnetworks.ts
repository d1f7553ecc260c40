import { crdVersion, defineCrd } from './define.js';
import { linkerdConditions, networks, object, resourceRoot, string } from './schema.js';

const spec = object(
  {
    trafficPolicy: string({
      description: 'What happens to traffic to these networks that no route matches.',
      enum: ['Allow', 'Deny'],
    }),
    networks: networks('Destination networks this resource covers; all cluster-external networks when unset.'),
  },
  { required: ['trafficPolicy'] },
);

export const egressNetworksCrd = defineCrd(
  { group: 'policy.linkerd.io', kind: 'EgressNetwork', plural: 'egressnetworks', categories: ['policy'] },
  [
    crdVersion(
      'v1alpha1',
      resourceRoot('Describes a set of networks outside the cluster that meshed workloads send traffic to.', {
        spec,
        status: object({ conditions: linkerdConditions() }),
      }),
      { statusSubresource: true },
    ),
  ],
);
