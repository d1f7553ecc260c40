import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateIdentityCa } from '../../src/manifests/certs/identity-ca.js';
import { generateWebhookCert } from '../../src/manifests/certs/webhook-cert.js';
import { checkControlPlanePods, checkPodCidrs } from '../../src/checks/categories/linkerd-existence.js';
import {
  anchorCryptoProblem,
  certLabel,
  expiresSoon,
  issuerCryptoProblem,
  listProblems,
  parseCerts,
  validityProblem,
  verifyChain,
} from '../../src/checks/certs.js';
import { containsIp, parseCidr, parseIp } from '../../src/checks/cidr.js';
import { SkipCheck } from '../../src/checks/model.js';
import { checkPodsRunning, podStatus, proxyVersion, type Pod } from '../../src/checks/pods.js';

const pod = (
  name: string,
  extra: Partial<{ phase: string; ready: boolean; image: string; waiting: string }> = {},
): Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'linkerd-proxy', image: extra.image ?? 'ghcr.io/l5d/proxy:edge-26.11.1' }] },
  status: {
    phase: extra.phase ?? 'Running',
    containerStatuses: [
      {
        name: 'linkerd-proxy',
        ready: extra.ready ?? true,
        restartCount: 0,
        image: '',
        imageID: '',
        state: extra.waiting ? { waiting: { reason: extra.waiting } } : { running: {} },
      },
    ],
  },
});

test('CIDR parsing and containment (IPv4 and IPv6)', () => {
  const net = parseCidr('10.0.0.0/8');
  assert.ok(net);
  assert.equal(containsIp(net, parseIp('10.244.1.7')!), true);
  assert.equal(containsIp(net, parseIp('11.0.0.1')!), false);
  const v6 = parseCidr('fd00::/8');
  assert.ok(v6);
  assert.equal(containsIp(v6, parseIp('fd12:3456::1')!), true);
  assert.equal(containsIp(v6, parseIp('10.0.0.1')!), false);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseIp('1.2.3'), undefined);
});

test('node podCIDRs must sit inside clusterNetworks with a long enough prefix', () => {
  assert.throws(() => checkPodCidrs([], '10.0.0.0/8'), SkipCheck);
  assert.doesNotThrow(() => checkPodCidrs(['10.244.0.0/24'], '10.0.0.0/8'));
  assert.throws(() => checkPodCidrs(['192.169.0.0/24', '11.0.0.0/16'], '10.0.0.0/8,192.168.0.0/16'), {
    message:
      'node has podCIDR(s) [11.0.0.0/16 192.169.0.0/24] which are not contained in the Linkerd clusterNetworks.\n\tTry installing linkerd via --set clusterNetworks="11.0.0.0/16\\,192.169.0.0/24"',
  });
  assert.throws(() => checkPodCidrs(['10.0.0.0/7'], '10.0.0.0/8'), /not contained/);
});

test('control plane pods: each component needs a running pod with all containers ready', () => {
  const all = [pod('linkerd-destination-5d-abc'), pod('linkerd-identity-6f-def'), pod('linkerd-proxy-injector-7a-ghi')];
  assert.doesNotThrow(() => checkControlPlanePods(all));
  assert.throws(() => checkControlPlanePods(all.slice(1)), { message: 'No running pods for "linkerd-destination"' });
  assert.throws(
    () => checkControlPlanePods([...all.slice(0, 2), pod('linkerd-proxy-injector-7a-ghi', { ready: false })]),
    {
      message: 'pod/linkerd-proxy-injector-7a-ghi container linkerd-proxy is not ready',
    },
  );
  assert.throws(
    () => checkControlPlanePods([...all.slice(0, 2), pod('linkerd-proxy-injector-7a-ghi', { phase: 'Pending' })]),
    {
      message: 'No running pods for "linkerd-proxy-injector"',
    },
  );
});

test('pod-running rules and kubectl-style status', () => {
  assert.throws(() => checkPodsRunning([], 'linkerd'), {
    message: 'no "linkerd-proxy" containers found in the "linkerd" namespace',
  });
  assert.throws(() => checkPodsRunning([], ''), { message: 'no "linkerd-proxy" containers found' });
  assert.throws(() => checkPodsRunning([pod('p', { phase: 'Pending' })], 'x'), {
    message: 'pod "p" status is Pending',
  });
  assert.throws(() => checkPodsRunning([pod('p', { ready: false })], 'x'), {
    message: 'container "linkerd-proxy" in pod "p" is not ready',
  });
  assert.equal(podStatus(pod('p', { waiting: 'CrashLoopBackOff' })), 'CrashLoopBackOff');
  assert.doesNotThrow(() =>
    checkPodsRunning([pod('ok'), { ...pod('done'), status: { phase: 'Succeeded', reason: 'Completed' } }], 'x'),
  );
  assert.equal(proxyVersion(pod('p')), 'edge-26.11.1');
  assert.equal(proxyVersion(pod('p', { image: 'reg:5000/proxy@sha256:abc' })), '');
  assert.equal(proxyVersion(pod('p', { image: 'reg:5000/proxy' })), '');
});

test('certificate checks on generated identity and webhook certificates', async () => {
  const now = new Date();
  const ca = await generateIdentityCa('identity.linkerd.cluster.local', now);
  const [anchor] = parseCerts(ca.certPEM);
  assert.ok(anchor);
  assert.equal(anchorCryptoProblem(anchor), undefined);
  assert.equal(issuerCryptoProblem(anchor), undefined);
  assert.equal(validityProblem(anchor, now), undefined);
  assert.equal(expiresSoon(anchor, now), false);
  assert.equal(expiresSoon(anchor, new Date(now.getTime() + 364 * 24 * 3600 * 1000)), true);
  assert.match(
    validityProblem(anchor, new Date(now.getTime() + 2 * 365 * 24 * 3600 * 1000)) ?? '',
    /^not valid anymore\. Expired on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  );
  assert.match(certLabel(anchor), /^\d+ identity\.linkerd\.cluster\.local$/);
  assert.doesNotThrow(() => verifyChain(anchor, [anchor], now));

  const hook = await generateWebhookCert('proxy-injector', 'linkerd', now);
  const [leaf] = parseCerts(hook.certPEM);
  assert.ok(leaf);
  assert.doesNotThrow(() => verifyChain(leaf, [leaf], now, 'linkerd-proxy-injector.linkerd.svc'));
  assert.throws(
    () => verifyChain(leaf, [leaf], now, 'linkerd-sp-validator.linkerd.svc'),
    /not linkerd-sp-validator\.linkerd\.svc/,
  );
  assert.throws(() => verifyChain(leaf, [anchor], now), { message: 'x509: certificate signed by unknown authority' });
  assert.equal(
    listProblems('Anchors expiring soon:', [anchor], () => 'will expire on X'),
    `Anchors expiring soon:\n\t* ${certLabel(anchor)} will expire on X`,
  );
  assert.equal(
    listProblems('h', [anchor], () => undefined),
    undefined,
  );
});
