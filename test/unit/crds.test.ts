import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CustomResourceDefinition as CrdModel } from 'kubernetes-models/apiextensions.k8s.io/v1';
import type { KubeClient } from '../../src/kube/client.js';
import { KubeApiError } from '../../src/kube/errors.js';
import {
  classifyGatewayApi,
  detectGatewayApi,
  decideGatewayApi,
  GATEWAY_API_ABSENT_MESSAGE,
  GATEWAY_API_EXTERNAL_MESSAGE,
  GATEWAY_API_REMOVAL_MESSAGE,
  GatewayApiDecisionError,
  LINKERD_CRD_REQUIREMENTS,
  renderCrds,
  type CustomResourceDefinition,
  type GatewayApiClusterState,
  type GatewayApiValues,
  type JSONSchemaProps,
} from '../../src/manifests/crds/index.js';
import { defaultsOf, structuralErrors, validateValue } from '../../src/manifests/crds/schema-check.js';
import { toYamlStream } from '../../src/manifests/yaml/emit.js';

const META = { controlPlaneNamespace: 'linkerd', createdBy: 'linkerd/cli edge-26.11.1', chartVersion: '2026.11.1' };
const NONE = { httpRoutes: false, tlsRoutes: false, tcpRoutes: false };
const ALL = { httpRoutes: true, tlsRoutes: true, tcpRoutes: true };
const withoutGateway = renderCrds({ ...META, gatewayApi: NONE });
const withGateway = renderCrds({ ...META, gatewayApi: ALL });

function crd(name: string, crds = withGateway): CustomResourceDefinition {
  const found = crds.find((c) => c.metadata.name === name);
  assert.ok(found, `no CRD ${name}`);
  return found;
}

function schemaOf(name: string, version: string): JSONSchemaProps {
  const v = crd(name).spec.versions.find((x) => x.name === version);
  assert.ok(v, `${name} has no version ${version}`);
  return v.schema.openAPIV3Schema;
}

const LINKERD_ORDER = [
  'authorizationpolicies.policy.linkerd.io',
  'egressnetworks.policy.linkerd.io',
  'httplocalratelimitpolicies.policy.linkerd.io',
  'httproutes.policy.linkerd.io',
  'meshtlsauthentications.policy.linkerd.io',
  'networkauthentications.policy.linkerd.io',
  'serverauthorizations.policy.linkerd.io',
  'servers.policy.linkerd.io',
  'serviceprofiles.linkerd.io',
];
const GATEWAY_ORDER = [
  'httproutes.gateway.networking.k8s.io',
  'grpcroutes.gateway.networking.k8s.io',
  'tlsroutes.gateway.networking.k8s.io',
  'tcproutes.gateway.networking.k8s.io',
];
const EXTERNAL_WORKLOADS = 'externalworkloads.workload.linkerd.io';

describe('renderCrds output', () => {
  test('10 CRDs without Gateway API, 14 with it, in chart order', () => {
    assert.deepEqual(
      withoutGateway.map((c) => c.metadata.name),
      [...LINKERD_ORDER, EXTERNAL_WORKLOADS],
    );
    assert.deepEqual(
      withGateway.map((c) => c.metadata.name),
      [...LINKERD_ORDER, ...GATEWAY_ORDER, EXTERNAL_WORKLOADS],
    );
  });

  test('each Gateway API kind follows its own switch (httpRoutes covers GRPCRoute)', () => {
    const names = (g: typeof NONE) => renderCrds({ ...META, gatewayApi: g }).map((c) => c.metadata.name);
    assert.deepEqual(
      names({ ...NONE, httpRoutes: true }).filter((n) => n.includes('gateway')),
      GATEWAY_ORDER.slice(0, 2),
    );
    assert.deepEqual(
      names({ ...NONE, tcpRoutes: true }).filter((n) => n.includes('gateway')),
      ['tcproutes.gateway.networking.k8s.io'],
    );
    assert.deepEqual(
      names({ ...NONE, tlsRoutes: true }).filter((n) => n.includes('gateway')),
      ['tlsroutes.gateway.networking.k8s.io'],
    );
  });

  for (const c of withGateway) {
    test(`${c.metadata.name}: names, scope, one storage version, all served`, () => {
      assert.equal(c.apiVersion, 'apiextensions.k8s.io/v1');
      assert.equal(c.kind, 'CustomResourceDefinition');
      assert.equal(c.metadata.name, `${c.spec.names.plural}.${c.spec.group}`);
      assert.equal(c.spec.scope, 'Namespaced');
      assert.equal(c.spec.names.listKind, `${c.spec.names.kind}List`);
      assert.equal(c.spec.names.singular, c.spec.names.kind.toLowerCase());
      assert.equal(c.spec.versions.filter((v) => v.storage).length, 1);
      assert.ok(c.spec.versions.every((v) => v.served));
      const deprecated = c.spec.versions.filter((v) => v.deprecated);
      assert.ok(deprecated.every((v) => typeof v.deprecationWarning === 'string' && !v.storage));
    });

    test(`${c.metadata.name}: every version schema is structural`, () => {
      for (const v of c.spec.versions) assert.deepEqual(structuralErrors(v.schema.openAPIV3Schema), [], v.name);
    });

    test(`${c.metadata.name}: every default is valid against its own schema`, () => {
      for (const v of c.spec.versions) {
        for (const { path, schema } of defaultsOf(v.schema.openAPIV3Schema)) {
          assert.deepEqual(validateValue(schema, schema.default, path), [], `${v.name} ${path}`);
        }
      }
    });

    test(`${c.metadata.name}: passes kubernetes-models validation`, () => {
      assert.doesNotThrow(() => new CrdModel(c as unknown as ConstructorParameters<typeof CrdModel>[0]).validate());
    });
  }

  test('the Linkerd CRDs store their last listed version', () => {
    for (const c of withoutGateway) assert.equal(c.spec.versions.at(-1)?.storage, true, c.metadata.name);
  });

  test('versions, storage and deprecations as in the spec', () => {
    const table = (name: string) =>
      crd(name).spec.versions.map((v) => [v.name, v.storage, v.deprecated ?? false, v.deprecationWarning ?? '']);
    assert.deepEqual(table('servers.policy.linkerd.io'), [
      [
        'v1alpha1',
        false,
        true,
        'policy.linkerd.io/v1alpha1 Server is deprecated; use policy.linkerd.io/v1beta1 Server',
      ],
      ['v1beta1', false, true, 'policy.linkerd.io/v1beta1 Server is deprecated; use policy.linkerd.io/v1beta3 Server'],
      ['v1beta2', false, false, ''],
      ['v1beta3', true, false, ''],
    ]);
    assert.deepEqual(table('serverauthorizations.policy.linkerd.io'), [
      [
        'v1alpha1',
        false,
        true,
        'policy.linkerd.io/v1alpha1 ServerAuthorization is deprecated; use policy.linkerd.io/v1beta1 ServerAuthorization',
      ],
      ['v1beta1', true, false, ''],
    ]);
    assert.deepEqual(
      crd('httproutes.policy.linkerd.io').spec.versions.map((v) => v.name),
      ['v1alpha1', 'v1beta1', 'v1beta2', 'v1beta3'],
    );
    assert.deepEqual(
      crd('serviceprofiles.linkerd.io').spec.versions.map((v) => [v.name, v.storage]),
      [
        ['v1alpha1', false],
        ['v1alpha2', true],
      ],
    );
    assert.deepEqual(
      crd('httproutes.gateway.networking.k8s.io').spec.versions.map((v) => [v.name, v.storage]),
      [
        ['v1', true],
        ['v1beta1', false],
      ],
    );
    assert.deepEqual(
      crd('grpcroutes.gateway.networking.k8s.io').spec.versions.map((v) => [v.name, v.storage, v.deprecated ?? false]),
      [
        ['v1', true, false],
        ['v1alpha2', false, true],
      ],
    );
  });

  test('kinds, shortNames and categories as in the spec', () => {
    const names = Object.fromEntries(
      withGateway.map((c) => [
        c.metadata.name,
        [c.spec.names.kind, c.spec.names.shortNames ?? [], c.spec.names.categories ?? []],
      ]),
    );
    assert.deepEqual(names, {
      'authorizationpolicies.policy.linkerd.io': ['AuthorizationPolicy', ['authzpolicy'], []],
      'egressnetworks.policy.linkerd.io': ['EgressNetwork', [], ['policy']],
      'httplocalratelimitpolicies.policy.linkerd.io': ['HTTPLocalRateLimitPolicy', [], []],
      'httproutes.policy.linkerd.io': ['HTTPRoute', [], []],
      'meshtlsauthentications.policy.linkerd.io': ['MeshTLSAuthentication', ['meshtlsauthn'], []],
      'networkauthentications.policy.linkerd.io': ['NetworkAuthentication', ['netauthn', 'networkauthn'], []],
      'serverauthorizations.policy.linkerd.io': ['ServerAuthorization', ['saz', 'serverauthz', 'srvauthz'], []],
      'servers.policy.linkerd.io': ['Server', ['srv'], []],
      'serviceprofiles.linkerd.io': ['ServiceProfile', ['sp'], []],
      'httproutes.gateway.networking.k8s.io': ['HTTPRoute', [], ['gateway-api']],
      'grpcroutes.gateway.networking.k8s.io': ['GRPCRoute', [], ['gateway-api']],
      'tlsroutes.gateway.networking.k8s.io': ['TLSRoute', [], ['gateway-api']],
      'tcproutes.gateway.networking.k8s.io': ['TCPRoute', [], ['gateway-api']],
      'externalworkloads.workload.linkerd.io': ['ExternalWorkload', [], ['external']],
    });
  });

  test('status subresources', () => {
    const withStatus = (name: string) =>
      crd(name)
        .spec.versions.filter((v) => v.subresources?.status)
        .map((v) => v.name);
    assert.deepEqual(withStatus('egressnetworks.policy.linkerd.io'), ['v1alpha1']);
    assert.deepEqual(withStatus('httplocalratelimitpolicies.policy.linkerd.io'), ['v1alpha1']);
    assert.deepEqual(withStatus('httproutes.policy.linkerd.io'), ['v1alpha1', 'v1beta1', 'v1beta2', 'v1beta3']);
    assert.deepEqual(withStatus(EXTERNAL_WORKLOADS), ['v1beta1']);
    assert.deepEqual(withStatus('servers.policy.linkerd.io'), []);
  });

  test('printer columns', () => {
    const cols = (name: string, version: string) =>
      crd(name)
        .spec.versions.find((v) => v.name === version)
        ?.additionalPrinterColumns?.map((c) => `${c.name}=${c.jsonPath}`);
    assert.deepEqual(cols('servers.policy.linkerd.io', 'v1beta2'), ['Port=.spec.port', 'Protocol=.spec.proxyProtocol']);
    assert.deepEqual(cols('servers.policy.linkerd.io', 'v1beta3'), [
      'Port=.spec.port',
      'Protocol=.spec.proxyProtocol',
      'Access Policy=.spec.accessPolicy',
    ]);
    assert.deepEqual(cols('serverauthorizations.policy.linkerd.io', 'v1beta1'), ['Server=.spec.server.name']);
    assert.deepEqual(cols('httplocalratelimitpolicies.policy.linkerd.io', 'v1alpha1'), [
      'Target_kind=.spec.targetRef.kind',
      'Target_name=.spec.targetRef.name',
      'Total_RPS=.spec.total.requestsPerSecond',
      'Identity_RPS=.spec.identity.requestsPerSecond',
    ]);
    assert.deepEqual(cols('httproutes.policy.linkerd.io', 'v1beta3'), [
      'Hostnames=.spec.hostnames',
      'Age=.metadata.creationTimestamp',
    ]);
    assert.deepEqual(cols(EXTERNAL_WORKLOADS, 'v1alpha1'), [
      'Identity=.spec.meshTls.identity',
      'Age=.metadata.creationTimestamp',
    ]);
    assert.deepEqual(cols(EXTERNAL_WORKLOADS, 'v1beta1'), [
      'Identity=.spec.meshTLS.identity',
      'Age=.metadata.creationTimestamp',
    ]);
  });

  test('ownership metadata on every CRD; extra annotations on the Gateway API ones', () => {
    const crds = renderCrds({ ...META, chartVersion: '1.2.3+abc', controlPlaneNamespace: 'l5d', gatewayApi: ALL });
    for (const c of crds) {
      assert.equal(c.metadata.annotations['linkerd.io/created-by'], 'linkerd/cli edge-26.11.1');
      assert.deepEqual(c.metadata.labels, {
        'helm.sh/chart': 'linkerd-crds-1.2.3_abc',
        'linkerd.io/control-plane-ns': 'l5d',
      });
    }
    for (const name of GATEWAY_ORDER) {
      const c = crd(name, crds);
      assert.deepEqual(c.metadata.annotations, {
        'api-approved.kubernetes.io': 'https://github.com/kubernetes-sigs/gateway-api/pull/2997',
        'gateway.networking.k8s.io/bundle-version': 'v1.1.1',
        'gateway.networking.k8s.io/channel': 'experimental',
        'linkerd.io/created-by': 'linkerd/cli edge-26.11.1',
        'helm.sh/resource-policy': 'keep',
      });
      assert.equal(c.metadata.creationTimestamp, null);
      assert.deepEqual(c.status, { acceptedNames: { kind: '', plural: '' }, conditions: null, storedVersions: null });
    }
  });

  test('httproutes.policy.linkerd.io ends with an empty status; the other Linkerd CRDs have none', () => {
    for (const c of withoutGateway) {
      if (c.metadata.name === 'httproutes.policy.linkerd.io') {
        assert.deepEqual(c.status, { acceptedNames: { kind: '', plural: '' }, conditions: [], storedVersions: [] });
      } else {
        assert.equal(c.status, undefined, c.metadata.name);
      }
    }
  });

  test('every root schema requires spec, except ServiceProfile', () => {
    for (const c of withoutGateway) {
      for (const v of c.spec.versions) {
        const required = v.schema.openAPIV3Schema.required ?? [];
        assert.equal(required.includes('spec'), c.spec.names.kind !== 'ServiceProfile', `${c.metadata.name} ${v.name}`);
      }
    }
  });

  test('each render returns fresh objects that print without YAML aliases', () => {
    const a = renderCrds({ ...META, gatewayApi: NONE });
    const servers = a.find((c) => c.spec.names.kind === 'Server');
    const props = servers?.spec.versions[0]?.schema.openAPIV3Schema.properties;
    if (props) props.spec = { type: 'string' };
    assert.notDeepEqual(renderCrds({ ...META, gatewayApi: NONE }), a);
    assert.doesNotMatch(toYamlStream(withGateway), /(^|\s)[&*]a\d+(\s|$)/m);
  });

  test('LINKERD_CRD_REQUIREMENTS lists the last version of each Linkerd CRD', () => {
    assert.deepEqual(LINKERD_CRD_REQUIREMENTS, [
      { name: 'authorizationpolicies.policy.linkerd.io', requiredVersion: 'v1alpha1' },
      { name: 'egressnetworks.policy.linkerd.io', requiredVersion: 'v1alpha1' },
      { name: 'httplocalratelimitpolicies.policy.linkerd.io', requiredVersion: 'v1alpha1' },
      { name: 'httproutes.policy.linkerd.io', requiredVersion: 'v1beta3' },
      { name: 'meshtlsauthentications.policy.linkerd.io', requiredVersion: 'v1alpha1' },
      { name: 'networkauthentications.policy.linkerd.io', requiredVersion: 'v1alpha1' },
      { name: 'serverauthorizations.policy.linkerd.io', requiredVersion: 'v1beta1' },
      { name: 'servers.policy.linkerd.io', requiredVersion: 'v1beta3' },
      { name: 'serviceprofiles.linkerd.io', requiredVersion: 'v1alpha2' },
      { name: EXTERNAL_WORKLOADS, requiredVersion: 'v1beta1' },
    ]);
  });
});

describe('schemas accept and reject resources as the field tables say', () => {
  const ok = (name: string, version: string, obj: unknown) =>
    assert.deepEqual(validateValue(schemaOf(name, version), obj), [], `${name}/${version} ${JSON.stringify(obj)}`);
  const bad = (name: string, version: string, obj: unknown, pattern: RegExp) => {
    const errors = validateValue(schemaOf(name, version), obj);
    assert.ok(
      errors.some((e) => pattern.test(e)),
      `${name}/${version}: expected ${pattern} in ${JSON.stringify(errors)}`,
    );
  };
  const SERVERS = 'servers.policy.linkerd.io';

  test('Server: selectors, int-or-string port, accessPolicy only in v1beta3', () => {
    const sel = { matchLabels: { app: 'web' } };
    ok(SERVERS, 'v1beta3', { spec: { podSelector: sel, port: 'http', accessPolicy: 'all-authenticated' } });
    ok(SERVERS, 'v1beta3', { spec: { externalWorkloadSelector: sel, port: 8080 } });
    bad(SERVERS, 'v1beta3', { spec: { podSelector: sel, externalWorkloadSelector: sel, port: 80 } }, /exactly one/);
    bad(SERVERS, 'v1beta3', { spec: { podSelector: sel } }, /\.spec\.port: required/);
    bad(SERVERS, 'v1beta3', { spec: { podSelector: sel, port: 1.5 } }, /integer or a string/);
    bad(SERVERS, 'v1beta3', { spec: { podSelector: { matchLabels: { a: 1 } }, port: 1 } }, /matchLabels\.a/);
    assert.equal(schemaOf(SERVERS, 'v1beta2').properties?.spec?.properties?.accessPolicy, undefined);
    assert.equal(schemaOf(SERVERS, 'v1beta3').properties?.spec?.properties?.accessPolicy?.default, 'deny');
    bad(SERVERS, 'v1beta1', { spec: { port: 80 } }, /podSelector: required/);
    assert.equal(schemaOf(SERVERS, 'v1beta1').properties?.spec?.properties?.externalWorkloadSelector, undefined);
    bad(SERVERS, 'v1alpha1', { spec: { podSelector: {}, port: 80 } }, /podSelector: must match exactly one/);
    ok(SERVERS, 'v1alpha1', { spec: { podSelector: sel, port: 80 } });
  });

  test('MeshTLSAuthentication: identities or identityRefs, not both', () => {
    const name = 'meshtlsauthentications.policy.linkerd.io';
    ok(name, 'v1alpha1', { spec: { identities: ['*.linkerd.cluster.local'] } });
    ok(name, 'v1alpha1', { spec: { identityRefs: [{ kind: 'ServiceAccount' }] } });
    bad(name, 'v1alpha1', { spec: { identities: ['a'], identityRefs: [{ kind: 'ServiceAccount' }] } }, /exactly one/);
    bad(name, 'v1alpha1', { spec: { identities: [] } }, /at least 1/);
  });

  test('ServerAuthorization: server by name or selector', () => {
    const name = 'serverauthorizations.policy.linkerd.io';
    ok(name, 'v1beta1', {
      spec: { server: { name: 'web' }, client: { meshTLS: { serviceAccounts: [{ name: 'a' }] } } },
    });
    bad(name, 'v1beta1', { spec: { server: {}, client: {} } }, /server: must match exactly one/);
    bad(name, 'v1beta1', { spec: { server: { name: 'web' } } }, /client: required/);
  });

  test('AuthorizationPolicy, NetworkAuthentication, EgressNetwork', () => {
    ok('authorizationpolicies.policy.linkerd.io', 'v1alpha1', {
      spec: {
        targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' },
        requiredAuthenticationRefs: [{ kind: 'MeshTLSAuthentication', name: 'x' }],
      },
    });
    bad(
      'authorizationpolicies.policy.linkerd.io',
      'v1alpha1',
      { spec: { targetRef: { kind: 'Server', name: 'web', group: 'Bad_Group' }, requiredAuthenticationRefs: [] } },
      /group: does not match/,
    );
    bad(
      'networkauthentications.policy.linkerd.io',
      'v1alpha1',
      { spec: { networks: [{ except: [] }] } },
      /cidr: required/,
    );
    bad('egressnetworks.policy.linkerd.io', 'v1alpha1', { spec: { trafficPolicy: 'Maybe' } }, /one of "Allow", "Deny"/);
  });

  test('HTTPLocalRateLimitPolicy: requestsPerSecond required where a limit is set', () => {
    const name = 'httplocalratelimitpolicies.policy.linkerd.io';
    const targetRef = { group: 'policy.linkerd.io', kind: 'Server', name: 'web' };
    ok(name, 'v1alpha1', {
      spec: {
        targetRef,
        total: { requestsPerSecond: 100 },
        overrides: [{ requestsPerSecond: 10, clientRefs: [{ kind: 'ServiceAccount', name: 'a' }] }],
      },
    });
    bad(name, 'v1alpha1', { spec: { targetRef, identity: {} } }, /identity\.requestsPerSecond: required/);
    bad(name, 'v1alpha1', { spec: { targetRef, overrides: [{ requestsPerSecond: 1 }] } }, /clientRefs: required/);
  });

  test('ServiceProfile: routes required only in v1alpha1; quantity weights', () => {
    const name = 'serviceprofiles.linkerd.io';
    ok(name, 'v1alpha2', {});
    ok(name, 'v1alpha2', {
      spec: { dstOverrides: [{ authority: 'web.default.svc.cluster.local:80', weight: '500m' }] },
    });
    bad(name, 'v1alpha1', { spec: {} }, /routes: required/);
    bad(name, 'v1alpha2', { spec: { dstOverrides: [{ authority: 'a', weight: '1x' }] } }, /weight: does not match/);
    bad(name, 'v1alpha2', { spec: { routes: [{ name: 'r' }] } }, /condition: required/);
    ok(name, 'v1alpha2', {
      spec: {
        routes: [
          {
            name: 'GET /',
            condition: { all: [{ method: 'GET' }, { pathRegex: '/' }], not: { method: 'POST' } },
            responseClasses: [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }],
          },
        ],
        retryBudget: { minRetriesPerSecond: 10, retryRatio: 0.2, ttl: '10s' },
      },
    });
    bad(name, 'v1alpha2', { spec: { retryBudget: { retryRatio: 0.2 } } }, /minRetriesPerSecond: required/);
  });

  test('ExternalWorkload: meshTLS in v1beta1, meshTls in v1alpha1, address limits', () => {
    const tls = { identity: 'spiffe://a', serverName: 'a' };
    ok(EXTERNAL_WORKLOADS, 'v1beta1', { spec: { meshTLS: tls, workloadIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] } });
    bad(EXTERNAL_WORKLOADS, 'v1beta1', { spec: { meshTls: tls } }, /meshTLS: required/);
    ok(EXTERNAL_WORKLOADS, 'v1alpha1', { spec: { meshTls: tls, workloadIPs: [{ ip: '10.0.0.1' }] } });
    bad(
      EXTERNAL_WORKLOADS,
      'v1alpha1',
      { spec: { meshTls: tls, workloadIPs: [{ ip: 'a' }, { ip: 'b' }] } },
      /at most 1/,
    );
    bad(EXTERNAL_WORKLOADS, 'v1beta1', { spec: { meshTLS: tls, ports: [{ port: 70000 }] } }, /above 65535/);
  });

  test('policy HTTPRoute: v1beta3 timeouts, version differences, defaults', () => {
    const name = 'httproutes.policy.linkerd.io';
    const route = (rule: object, port = 8080) => ({
      spec: { parentRefs: [{ name: 'web', kind: 'Server', group: 'policy.linkerd.io', port }], rules: [rule] },
    });
    ok(name, 'v1beta3', route({ timeouts: { request: '10s', backendRequest: '1500ms' } }));
    bad(name, 'v1beta3', route({ timeouts: { request: '10 seconds' } }), /timeouts\.request: does not match/);
    bad(name, 'v1beta3', route({}, 0), /port: below 1/);
    ok(name, 'v1beta1', route({}, 0));
    bad(name, 'v1beta3', route({ backendRefs: [{ name: 'b', weight: 1000001 }] }), /weight: above/);
    bad(
      name,
      'v1beta3',
      route({ filters: [{ type: 'ResponseHeaderModifier' }] }),
      /filters\[0\]\.type: must be one of/,
    );
    ok(name, 'v1beta3', route({ backendRefs: [{ name: 'b', filters: [{ type: 'ResponseHeaderModifier' }] }] }));
    const rules = schemaOf(name, 'v1beta3').properties?.spec?.properties?.rules;
    assert.deepEqual(rules?.default, [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
    const ruleProps = (v: string) =>
      Object.keys(schemaOf(name, v).properties?.spec?.properties?.rules?.items?.properties ?? {});
    assert.ok(ruleProps('v1beta3').includes('timeouts'));
    assert.ok(!ruleProps('v1beta2').includes('timeouts'));
    const legacyBackend = schemaOf(name, 'v1alpha1').properties?.spec?.properties?.rules?.items?.properties?.backendRefs
      ?.items;
    assert.deepEqual(Object.keys(legacyBackend?.properties ?? {}), ['name', 'port', 'namespace', 'filters']);
    assert.equal(legacyBackend?.properties?.namespace?.default, 'default');
  });
});

describe('structural-schema checker', () => {
  const root = (spec: JSONSchemaProps): JSONSchemaProps => ({ type: 'object', properties: { spec } });
  const cases: [string, JSONSchemaProps, RegExp][] = [
    ['untyped field', root({ properties: { a: { type: 'string' } } }), /\.spec: type must be set/],
    [
      'properties with additionalProperties',
      root({ type: 'object', properties: {}, additionalProperties: { type: 'string' } }),
      /mutually exclusive/,
    ],
    ['array without items', root({ type: 'array' }), /must specify items/],
    [
      'type inside oneOf',
      root({ type: 'object', properties: { a: { type: 'string' } }, oneOf: [{ type: 'object', required: ['a'] }] }),
      /oneOf\[0\]: type is not allowed/,
    ],
    [
      'field only inside anyOf',
      root({ type: 'object', properties: {}, anyOf: [{ properties: { b: { maxLength: 1 } } }] }),
      /anyOf\[0\]\.b: not specified outside/,
    ],
    ['int-or-string with a type', root({ type: 'string', 'x-kubernetes-int-or-string': true }), /must not have a type/],
    ['additionalProperties false', root({ type: 'object', additionalProperties: false }), /must not be false/],
    ['a $ref', root({ type: 'object', $ref: '#/x' } as JSONSchemaProps), /\$ref is not allowed/],
    ['non-object root', { type: 'string' }, /root must have type object/],
  ];
  for (const [label, schema, expected] of cases) {
    test(`rejects ${label}`, () => {
      const errors = structuralErrors(schema);
      assert.ok(
        errors.some((e) => expected.test(e)),
        JSON.stringify(errors),
      );
    });
  }

  test('accepts int-or-string without type and preserve-unknown-fields objects', () => {
    assert.deepEqual(
      structuralErrors(
        root({
          type: 'object',
          properties: {
            p: { 'x-kubernetes-int-or-string': true },
            o: { 'x-kubernetes-preserve-unknown-fields': true },
          },
          oneOf: [{ required: ['p'] }, { required: ['o'] }],
        }),
      ),
      [],
    );
  });

  test('default validation catches a default that breaks its schema', () => {
    assert.deepEqual(validateValue({ type: 'string', enum: ['a'] }, 'a'), []);
    assert.match(validateValue({ type: 'integer', maximum: 3 }, 4).join(), /above 3/);
    assert.match(validateValue({ type: 'string', pattern: '^x$' }, 'y').join(), /does not match/);
  });
});

describe('decideGatewayApi (spec install.md §2.2)', () => {
  const on = { httpRoutes: true, tlsRoutes: true, tcpRoutes: true };
  const off = { httpRoutes: false, tlsRoutes: false, tcpRoutes: false };
  const cases: [GatewayApiClusterState, string[], GatewayApiValues, typeof on | string][] = [
    ['absent', [], {}, GATEWAY_API_ABSENT_MESSAGE],
    ['absent', [], { installGatewayAPI: true }, on],
    ['absent', [], { installGatewayAPI: false }, GATEWAY_API_ABSENT_MESSAGE],
    ['absent', [], { enableHttpRoutes: true }, { httpRoutes: true, tlsRoutes: false, tcpRoutes: false }],
    ['absent', [], { installGatewayAPI: true, enableHttpRoutes: false }, GATEWAY_API_ABSENT_MESSAGE],
    ['linkerd-managed', [], {}, on],
    ['linkerd-managed', [], { installGatewayAPI: false }, GATEWAY_API_REMOVAL_MESSAGE],
    ['linkerd-managed', [], { enableHttpRoutes: false }, GATEWAY_API_REMOVAL_MESSAGE],
    ['linkerd-managed', [], { enableTcpRoutes: false }, { ...on, tcpRoutes: false }],
    ['external', [], {}, off],
    ['external', [], { installGatewayAPI: true }, GATEWAY_API_EXTERNAL_MESSAGE],
    ['external', [], { enableHttpRoutes: true }, GATEWAY_API_EXTERNAL_MESSAGE],
    ['external', [], { enableTlsRoutes: true }, { ...off, tlsRoutes: true }],
    [
      'external',
      ['grpcroutes.gateway.networking.k8s.io'],
      {},
      'the grpcroutes.gateway.networking.k8s.io CRD is missing the v1 version, please upgrade to Gateway API v1.1.1 or later',
    ],
    ['unknown', [], {}, off],
    ['unknown', [], { installGatewayAPI: true, enableTcpRoutes: false }, { ...on, tcpRoutes: false }],
  ];
  for (const [cluster, missing, values, expected] of cases) {
    test(`${cluster} ${JSON.stringify(values)}${missing.length ? ' missing v1' : ''}`, () => {
      const result = decideGatewayApi(cluster, missing, values);
      if (typeof expected === 'string') {
        assert.ok(result instanceof GatewayApiDecisionError, JSON.stringify(result));
        assert.equal(result.message, expected);
      } else {
        assert.deepEqual(result, expected);
      }
    });
  }

  test('the exact error texts', () => {
    assert.equal(
      GATEWAY_API_ABSENT_MESSAGE,
      'The Gateway API CRDs must be installed prior to installing Linkerd. Run:\n\n' +
        'kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml\n\n' +
        'or see https://gateway-api.sigs.k8s.io/guides/#installing-gateway-api for more options.',
    );
    assert.equal(
      GATEWAY_API_REMOVAL_MESSAGE,
      'Linkerd is providing GW API, but your current install configuration will remove it',
    );
    assert.equal(
      GATEWAY_API_EXTERNAL_MESSAGE,
      'Linkerd cannot install the Gateway API CRDs because they are already installed by an external source. Please set `installGatewayAPI` to `false`.',
    );
  });
});

describe('classifyGatewayApi', () => {
  const gw = (name: string, versions: string[], createdBy?: string) => ({
    metadata: { name, ...(createdBy ? { annotations: { 'linkerd.io/created-by': createdBy } } : {}) },
    spec: { versions: versions.map((v) => ({ name: v })) },
  });
  test('absent, managed, external and missing v1', () => {
    assert.deepEqual(classifyGatewayApi([]), { state: 'absent', externalMissingV1: [] });
    assert.deepEqual(classifyGatewayApi([gw('httproutes.gateway.networking.k8s.io', ['v1'], 'linkerd/cli x')]), {
      state: 'linkerd-managed',
      externalMissingV1: [],
    });
    assert.deepEqual(
      classifyGatewayApi([
        gw('httproutes.gateway.networking.k8s.io', ['v1', 'v1beta1']),
        gw('grpcroutes.gateway.networking.k8s.io', ['v1alpha2']),
      ]),
      { state: 'external', externalMissingV1: ['grpcroutes.gateway.networking.k8s.io'] },
    );
  });
});

describe('detectGatewayApi', () => {
  const clientWith = (get: (path: string) => Promise<unknown>) => ({ getOptional: get }) as unknown as KubeClient;

  test('GETs both probe CRDs and classifies what exists', async () => {
    const asked: string[] = [];
    const detection = await detectGatewayApi(
      clientWith(async (path) => {
        asked.push(path);
        return path.endsWith('/httproutes.gateway.networking.k8s.io')
          ? { metadata: { name: 'httproutes.gateway.networking.k8s.io' }, spec: { versions: [{ name: 'v1beta1' }] } }
          : undefined;
      }),
    );
    assert.deepEqual(asked.sort(), [
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/grpcroutes.gateway.networking.k8s.io',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/httproutes.gateway.networking.k8s.io',
    ]);
    assert.deepEqual(detection, { state: 'external', externalMissingV1: ['httproutes.gateway.networking.k8s.io'] });
  });

  test('API errors other than NotFound propagate', async () => {
    const forbidden = new KubeApiError(403, 'Forbidden', 'customresourcedefinitions is forbidden', undefined);
    await assert.rejects(
      detectGatewayApi(
        clientWith(async () => {
          throw forbidden;
        }),
      ),
      forbidden,
    );
  });
});
