import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultValues, haValues, KNOWN_TOP_LEVEL_KEYS } from '../../src/manifests/values/defaults.js';
import { diffValues } from '../../src/manifests/values/diff.js';
import { deepMerge } from '../../src/manifests/values/merge.js';
import type { Values } from '../../src/manifests/values/types.js';

test('deepMerge merges maps, replaces lists and scalars, deletes on null, never mutates inputs', () => {
  const base = { a: { b: 1, c: [1, 2] }, d: 'x', e: { f: 1 } };
  const overlay = { a: { c: [3] }, d: null, e: { g: 2 } };
  const out = deepMerge(base, overlay);
  assert.deepEqual(out, { a: { b: 1, c: [3] }, e: { f: 1, g: 2 } });
  assert.deepEqual(base, { a: { b: 1, c: [1, 2] }, d: 'x', e: { f: 1 } });
  assert.deepEqual(deepMerge({ d: 'x' }, { d: null }, { nullDeletes: false }), { d: null });
});

test('diff of defaults against themselves is empty; changes, additions and deletions are recorded', () => {
  const defaults = defaultValues('v1') as unknown as Record<string, unknown>;
  assert.deepEqual(diffValues(defaults, defaultValues('v1') as unknown as Record<string, unknown>), {});
  const changed = deepMerge(defaultValues('v1'), {
    identityTrustAnchorsPEM: 'PEM',
    proxy: { logLevel: 'debug' },
    tolerations: [{ key: 'k' }],
    nodeSelector: null,
    commonLabels: { a: 'b' },
  }) as unknown as Record<string, unknown>;
  assert.deepEqual(diffValues(defaults, changed), {
    identityTrustAnchorsPEM: 'PEM',
    proxy: { logLevel: 'debug' },
    tolerations: [{ key: 'k' }],
    nodeSelector: null,
    commonLabels: { a: 'b' },
  });
});

const jsonLeaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }));
const tree = fc.letrec((tie) => ({
  node: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.oneof({ depthSize: 'small' }, jsonLeaf, tie('node')), {
    maxKeys: 4,
    noNullPrototype: true,
  }),
})).node;

test('property: merging the diff onto the defaults rebuilds the values', () => {
  fc.assert(
    fc.property(tree, tree, (base, actual) => {
      assert.deepEqual(deepMerge(base, diffValues(base, actual)), actual);
    }),
  );
});

test('defaults carry l5d images, Linkerd created-by format and the chart defaults of inject.md §2.4', () => {
  const v = defaultValues('edge-26.11.1');
  assert.equal(v.cliVersion, 'linkerd/cli edge-26.11.1');
  assert.equal(v.linkerdVersion, 'edge-26.11.1');
  assert.equal(v.controllerImage, 'ghcr.io/l5d/controller');
  assert.equal(v.proxy.image.name, 'ghcr.io/l5d/proxy');
  assert.equal(v.debugContainer.image.name, 'ghcr.io/l5d/debug');
  assert.equal(v.proxy.logLevel, 'warn,linkerd=info,hickory=error');
  assert.equal(v.proxyInit.iptablesMode, 'nft');
  assert.equal(v.proxy.nativeSidecar, true);
  assert.equal(v.proxy.gid, -1);
  assert.equal(v.clusterNetworks, '10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,fd00::/8');
  assert.notEqual(defaultValues(), defaultValues(), 'fresh tree per call');
});

test('the top-level keys match the linkerd-config key list of install.md §3.8', () => {
  const listed =
    'cliVersion, clusterDomain, clusterNetworks, cniEnabled, controller, controllerGID, controllerImage, controllerLogFormat, controllerLogLevel, controllerReplicas, controllerUID, debugContainer, deploymentStrategy, destinationController, destinationProxyResources, destinationResources, disableHeartBeat, disableIPv6, egress, enableEndpointSlices, enableH2Upgrade, enablePodAntiAffinity, enablePodDisruptionBudget, heartbeat, heartbeatResources, heartbeatSchedule, highAvailability, identity, identityProxyResources, identityResources, identityTrustAnchorsPEM, identityTrustDomain, imagePullPolicy, imagePullSecrets, linkerdVersion, networkValidator, nodeAffinity, nodeSelector, podAnnotations, podLabels, podMonitor, policyController, policyValidator, priorityClassName, profileValidator, prometheusUrl, proxy, proxyContainerName, proxyInit, proxyInjector, proxyInjectorProxyResources, proxyInjectorResources, revisionHistoryLimit, spValidator, tolerations, webhookFailurePolicy'.split(
      ', ',
    );
  const optional = new Set([
    'destinationProxyResources',
    'destinationResources',
    'heartbeatResources',
    'identityProxyResources',
    'identityResources',
    'proxyInjectorProxyResources',
    'proxyInjectorResources',
  ]);
  assert.deepEqual(Object.keys(defaultValues()).sort(), listed.filter((k) => !optional.has(k)).sort());
  for (const key of listed) assert.ok(KNOWN_TOP_LEVEL_KEYS.has(key), key);
});

test('HA overlay (install.md §3.12), including sp-validator resources', () => {
  const ha: Values = deepMerge(defaultValues(), haValues());
  assert.equal(ha.highAvailability, true);
  assert.equal(ha.controllerReplicas, 3);
  assert.equal(ha.enablePodDisruptionBudget, true);
  assert.equal(ha.enablePodAntiAffinity, true);
  assert.equal(ha.webhookFailurePolicy, 'Fail');
  assert.deepEqual(ha.deploymentStrategy, { rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } });
  assert.deepEqual(ha.proxy.resources, {
    cpu: { limit: '', request: '100m' },
    memory: { limit: '250Mi', request: '20Mi' },
    'ephemeral-storage': { limit: '', request: '' },
  });
  const controller = { cpu: { limit: '', request: '100m' }, memory: { limit: '250Mi', request: '50Mi' } };
  assert.deepEqual(ha.destinationResources, controller);
  assert.deepEqual(ha.proxyInjectorResources, controller);
  assert.deepEqual(ha.heartbeatResources, controller);
  assert.deepEqual(ha.spValidatorResources, controller);
  assert.deepEqual(ha.identityResources, {
    cpu: { limit: '', request: '100m' },
    memory: { limit: '250Mi', request: '10Mi' },
  });
});
