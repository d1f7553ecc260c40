import { AGE_COLUMN, column, crdVersion, defineCrd, editSchema } from './define.js';
import { arrayOf, linkerdConditions, object, port, resourceRoot, string } from './schema.js';
import type { JSONSchemaProps } from './types.js';

const DESCRIPTION = 'A workload outside Kubernetes (a VM or bare-metal host) that runs a Linkerd proxy.';

const v1beta1Spec = object(
  {
    meshTLS: object(
      {
        identity: string({ description: 'TLS identity of the workload proxy.', minLength: 1, maxLength: 253 }),
        serverName: string({ description: 'Server name the proxy presents in TLS.', minLength: 1, maxLength: 253 }),
      },
      { description: 'How peers authenticate the workload.', required: ['identity', 'serverName'] },
    ),
    ports: arrayOf(
      object(
        {
          name: string({ description: 'Port name, as a Service targetPort may refer to it.' }),
          port: port({ description: 'Port number.' }),
          protocol: string({ description: 'Transport protocol.', default: 'TCP' }),
        },
        { required: ['port'] },
      ),
      { description: 'Ports the workload exposes.' },
    ),
    workloadIPs: arrayOf(object({ ip: string({ description: 'An IPv4 or IPv6 address.' }) }), {
      description: 'Addresses the workload is reachable on.',
      maxItems: 2,
    }),
  },
  { required: ['meshTLS'] },
);

const status = object({
  conditions: linkerdConditions({
    lastProbeTime: string({ description: 'Last time the condition was probed.', format: 'date-time' }),
  }),
});

// v1alpha1 spelled the TLS block `meshTls` and allowed a single address.
function v1alpha1(spec: JSONSchemaProps): JSONSchemaProps {
  const { meshTLS, ...others } = spec.properties ?? {};
  const renamed: JSONSchemaProps = {
    ...spec,
    required: ['meshTls'],
    properties: { meshTls: meshTLS ?? {}, ...others },
  };
  return editSchema(renamed, ['workloadIPs'], (ips) => ({ ...ips, maxItems: 1 }));
}

const identityColumn = (path: string) => column('Identity', path, 'string');

export const externalWorkloadsCrd = defineCrd(
  { group: 'workload.linkerd.io', kind: 'ExternalWorkload', plural: 'externalworkloads', categories: ['external'] },
  [
    crdVersion('v1alpha1', resourceRoot(DESCRIPTION, { spec: v1alpha1(v1beta1Spec), status }), {
      printerColumns: [identityColumn('.spec.meshTls.identity'), AGE_COLUMN],
    }),
    crdVersion('v1beta1', resourceRoot(DESCRIPTION, { spec: v1beta1Spec, status }), {
      statusSubresource: true,
      printerColumns: [identityColumn('.spec.meshTLS.identity'), AGE_COLUMN],
    }),
  ],
);
