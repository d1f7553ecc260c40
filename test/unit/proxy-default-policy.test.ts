import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNetworks } from '../../src/runtime/proxy/config/formats.js';
import { defaultPolicyAllows } from '../../src/runtime/proxy/inbound/default-policy.js';

test('default inbound policies authorize by identity and cluster networks', () => {
  const nets = parseNetworks('10.0.0.0/8,fd00::/8');
  const meshedIn = { ip: '10.1.2.3', id: 'web.ns.serviceaccount.identity.linkerd.cluster.local' };
  const plainIn = { ip: '10.1.2.3', id: undefined };
  const meshedOut = { ip: '192.0.2.1', id: 'web.ns.serviceaccount.identity.linkerd.cluster.local' };
  const table: Array<[Parameters<typeof defaultPolicyAllows>[0], boolean, boolean, boolean]> = [
    // policy, meshed in-cluster, plaintext in-cluster, meshed outside
    ['all-unauthenticated', true, true, true],
    ['audit', true, true, true],
    ['all-authenticated', true, false, true],
    ['cluster-unauthenticated', true, true, false],
    ['cluster-authenticated', true, false, false],
    ['deny', false, false, false],
  ];
  for (const [policy, a, b, c] of table) {
    assert.equal(defaultPolicyAllows(policy, meshedIn, nets), a, `${policy} meshed in-cluster`);
    assert.equal(defaultPolicyAllows(policy, plainIn, nets), b, `${policy} plaintext in-cluster`);
    assert.equal(defaultPolicyAllows(policy, meshedOut, nets), c, `${policy} meshed outside`);
  }
  assert.equal(defaultPolicyAllows('cluster-unauthenticated', { ip: 'fd12::1', id: undefined }, nets), true);
});
