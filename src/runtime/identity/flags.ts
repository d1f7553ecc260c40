import { COMMON_FLAGS, flag } from '../shared/flags.js';

export const IDENTITY_FLAGS = {
  ...COMMON_FLAGS,
  addr: flag('string', ':8080', 'address to serve on'),
  'admin-addr': flag('string', ':9990', 'address of HTTP admin server'),
  'controller-namespace': flag('string', '', 'namespace in which Linkerd is installed'),
  'identity-scheme': flag('string', '', 'scheme used for the identity issuer secret format'),
  'identity-trust-domain': flag('string', '', 'configures the name suffix used for identities'),
  'identity-issuance-lifetime': flag(
    'string',
    '',
    'the amount of time for which the Identity issuer should certify identity',
  ),
  'identity-clock-skew-allowance': flag(
    'string',
    '',
    'the amount of time to allow for clock skew within a Linkerd cluster',
  ),
  issuer: flag('string', '/var/run/linkerd/identity/issuer', 'path to directory containing issuer credentials'),
  'trust-anchors': flag(
    'string',
    '/var/run/linkerd/identity/trust-roots/ca-bundle.crt',
    'path to the trust anchors PEM bundle (l5d addition; upstream hard-codes this path)',
  ),
  'kube-apiclient-qps': flag('float', 100, 'Maximum QPS sent to the kube-apiserver before throttling'),
  'kube-apiclient-burst': flag('int', 200, 'Burst value over kube-apiclient-qps'),
} as const;
