import { column, crdVersion, defineCrd, withoutProperty } from './define.js';
import { intOrString, labelSelector, object, resourceRoot, string } from './schema.js';
import type { JSONSchemaProps } from './types.js';

const podSelector = labelSelector('Selects the pods in the same namespace whose port this Server describes.');

/** v1beta3, the storage version; the older versions are derived from it below. */
const v1beta3Spec = object(
  {
    podSelector,
    externalWorkloadSelector: labelSelector(
      'Selects the ExternalWorkloads in the same namespace this Server describes.',
    ),
    port: intOrString({ description: 'A port number, or the name of a pod container port.' }),
    proxyProtocol: string({
      description: 'How the proxy handles inbound traffic: unknown (detected), HTTP/1, HTTP/2, gRPC, opaque or TLS.',
      default: 'unknown',
    }),
    accessPolicy: string({
      description: 'Default access policy for clients no authorization matches (as the default inbound policies).',
      default: 'deny',
    }),
  },
  { required: ['port'], oneOf: [{ required: ['podSelector'] }, { required: ['externalWorkloadSelector'] }] },
);

const v1beta2Spec = withoutProperty(v1beta3Spec, 'accessPolicy');

// Before ExternalWorkloads a Server always selected pods.
function podsOnly(spec: JSONSchemaProps): JSONSchemaProps {
  const { oneOf: _workloadChoice, ...rest } = withoutProperty(spec, 'externalWorkloadSelector');
  return { ...rest, required: ['podSelector', 'port'] };
}

const v1beta1Spec = podsOnly(v1beta2Spec);

const v1alpha1Spec: JSONSchemaProps = {
  ...v1beta1Spec,
  properties: {
    ...v1beta1Spec.properties,
    podSelector: { ...podSelector, oneOf: [{ required: ['matchExpressions'] }, { required: ['matchLabels'] }] },
  },
};

const DESCRIPTION = 'Describes a port of a set of workloads and how the proxy serves it.';
const portColumns = [
  column('Port', '.spec.port', 'string', 'The port the server is listening on'),
  column('Protocol', '.spec.proxyProtocol', 'string', 'The protocol of the server'),
];

export const serversCrd = defineCrd(
  { group: 'policy.linkerd.io', kind: 'Server', plural: 'servers', shortNames: ['srv'] },
  [
    crdVersion('v1alpha1', resourceRoot(DESCRIPTION, { spec: v1alpha1Spec }), {
      deprecationWarning: 'policy.linkerd.io/v1alpha1 Server is deprecated; use policy.linkerd.io/v1beta1 Server',
    }),
    crdVersion('v1beta1', resourceRoot(DESCRIPTION, { spec: v1beta1Spec }), {
      deprecationWarning: 'policy.linkerd.io/v1beta1 Server is deprecated; use policy.linkerd.io/v1beta3 Server',
      printerColumns: portColumns,
    }),
    crdVersion('v1beta2', resourceRoot(DESCRIPTION, { spec: v1beta2Spec }), { printerColumns: portColumns }),
    crdVersion('v1beta3', resourceRoot(DESCRIPTION, { spec: v1beta3Spec }), {
      printerColumns: [
        ...portColumns,
        column('Access Policy', '.spec.accessPolicy', 'string', 'The default access policy of the server'),
      ],
    }),
  ],
);
