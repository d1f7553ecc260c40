import { COMMON_FLAGS, flag } from '../shared/flags.js';

export const DESTINATION_FLAGS = {
  ...COMMON_FLAGS,
  addr: flag('string', ':8086', 'address to serve on'),
  'metrics-addr': flag('string', ':9996', 'address to serve scrapable metrics on'),
  'controller-namespace': flag('string', 'linkerd', 'namespace in which Linkerd is installed'),
  'outbound-transport-mode': flag('string', 'transparent', 'transport mode for outbound proxy connections'),
  'enable-h2-upgrade': flag(
    'bool',
    true,
    'Enable transparently upgraded HTTP2 connections among pods in the service mesh',
  ),
  'enable-endpoint-slices': flag('bool', true, 'Enable the usage of EndpointSlice informers and resources'),
  'enable-ipv6': flag(
    'bool',
    true,
    'Set to true to allow discovering IPv6 endpoints and preferring IPv6 when both IPv4 and IPv6 are available',
  ),
  'identity-trust-domain': flag('string', '', 'configures the name suffix used for identities'),
  'cluster-domain': flag('string', '', 'kubernetes cluster domain'),
  'default-opaque-ports': flag('string', '', 'configures the default opaque ports'),
  'export-queue-metrics': flag('bool', true, 'Exports queue metrics for the external workload controller'),
  'stream-queue-capacity': flag('int', 100, 'The maximum number of updates buffered per stream'),
  'ext-endpoint-zone-weights': flag('bool', false, 'Enable setting endpoint weighting based on zone locality'),
  'meshed-http2-client-params': flag('string', '', 'HTTP/2 client parameters for meshed connections in JSON format'),
} as const;
