import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideGatewayApi, GatewayApiDecisionError, renderCrds } from '../../src/manifests/crds/index.js';
import { parseAllDocuments } from 'yaml';
import { toYamlStream } from '../../src/manifests/yaml/emit.js';
import { chartVersionOf, L5D_VERSION } from '../../src/version.js';
import { assertGolden } from '../support/golden.js';

const META = {
  controlPlaneNamespace: 'linkerd',
  createdBy: `linkerd/cli ${L5D_VERSION}`,
  chartVersion: chartVersionOf(L5D_VERSION),
};

function render(...decision: Parameters<typeof decideGatewayApi>): string {
  const gatewayApi = decideGatewayApi(...decision);
  assert.ok(!(gatewayApi instanceof GatewayApiDecisionError), String(gatewayApi));
  return toYamlStream(renderCrds({ ...META, gatewayApi }));
}

test('install_crds.golden: an external Gateway API (v1) exists, so only the 10 Linkerd CRDs', () => {
  assertGolden('install_crds.golden', render('external', [], {}));
});

test('install_crds_with_gateway_api.golden: installGatewayAPI=true renders all 14 CRDs', () => {
  assertGolden('install_crds_with_gateway_api.golden', render('absent', [], { installGatewayAPI: true }));
});

test('the legacy per-kind switches render the same 14 CRDs', () => {
  const legacy = render('absent', [], { enableHttpRoutes: true, enableTlsRoutes: true, enableTcpRoutes: true });
  assert.equal(legacy, render('absent', [], { installGatewayAPI: true }));
});

test('the YAML stream parses back to exactly the rendered objects (descriptions and patterns intact)', () => {
  const gatewayApi = { httpRoutes: true, tlsRoutes: true, tcpRoutes: true };
  const objects = renderCrds({ ...META, gatewayApi });
  const parsed = parseAllDocuments(toYamlStream(objects), { version: '1.1' }).map((d) => d.toJS() as unknown);
  assert.deepEqual(parsed, objects);
});
