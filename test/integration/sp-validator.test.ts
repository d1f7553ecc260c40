// The sp-validator as a child process behind a ValidatingWebhookConfiguration of the real
// kube-apiserver test bed: invalid ServiceProfiles are refused with upstream's message, valid ones
// stored.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, startController, waitReady, type RunningController } from '../support/controllers.js';
import { applyInstallCrds } from '../support/crds.js';
import { kubectl, startTestbed, type Testbed } from '../support/testbed.js';
import { loopbackCertificate, validatingWebhookConfiguration } from '../support/webhooks.js';

const NAME = 'web-svc.emojivoto.svc.cluster.local';

function profile(spec: unknown): string {
  return JSON.stringify({
    apiVersion: 'linkerd.io/v1alpha2',
    kind: 'ServiceProfile',
    metadata: { name: NAME, namespace: 'emojivoto' },
    spec,
  });
}

describe('sp-validator', () => {
  let tb: Testbed;
  let ctrl: RunningController;
  let dir: string;
  let adminPort: number;

  const admin = (args: string[], stdin?: string) =>
    kubectl(args, stdin === undefined ? { kubeconfig: tb.adminKubeconfig } : { kubeconfig: tb.adminKubeconfig, stdin });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'l5d-sp-validator-it-'));
    const [testbed] = await Promise.all([startTestbed(), loopbackCertificate(dir, 'linkerd-sp-validator')]);
    tb = testbed;
    await applyInstallCrds(admin);
    const webhookPort = await freePort();
    adminPort = await freePort();
    ctrl = startController('sp-validator', [
      '-log-level=info',
      `-addr=127.0.0.1:${webhookPort}`,
      `-metrics-addr=127.0.0.1:${adminPort}`,
      `-tls-dir=${dir}`,
    ]);
    await waitReady(ctrl, adminPort);
    await admin(
      ['apply', '-f', '-'],
      JSON.stringify(
        validatingWebhookConfiguration(
          'linkerd-sp-validator-webhook-config',
          'linkerd-sp-validator.linkerd.io',
          webhookPort,
          dir,
          [{ apiGroups: ['linkerd.io'], apiVersions: ['v1alpha1', 'v1alpha2'], resources: ['serviceprofiles'] }],
        ),
      ),
    );
    await admin(['create', 'namespace', 'emojivoto']);
  });

  after(async () => {
    await ctrl?.stop();
    await tb?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const refused = async (spec: unknown, message: string) => {
    const res = await admin(['create', '-f', '-', '--dry-run=server'], profile(spec)).then(
      () => undefined,
      (err: Error) => err.message,
    );
    assert.ok(res !== undefined, 'expected the API server to refuse the object');
    assert.ok(res.includes('admission webhook "linkerd-sp-validator.linkerd.io" denied the request'), res);
    assert.ok(res.includes(message), res);
  };

  test('a valid ServiceProfile is stored', async () => {
    await admin(
      ['apply', '-f', '-'],
      profile({
        routes: [
          {
            name: 'GET /api/list',
            condition: { method: 'GET', pathRegex: '/api/list' },
            responseClasses: [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }],
            timeout: '300ms',
          },
        ],
        retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
      }),
    );
    const stored = await admin(['get', 'serviceprofile', NAME, '-n', 'emojivoto', '-o', 'name']);
    assert.match(stored.stdout, /serviceprofile/);
  });

  test('a status range with max below min is refused', () =>
    refused(
      {
        routes: [
          {
            name: 'x',
            condition: { method: 'GET' },
            responseClasses: [{ condition: { status: { min: 500, max: 400 } } }],
          },
        ],
      },
      `ServiceProfile "${NAME}" has a response class with an invalid condition: Range maximum cannot be smaller than minimum`,
    ));

  test('an empty request match is refused', () =>
    refused(
      { routes: [{ name: 'x', condition: {} }] },
      `ServiceProfile "${NAME}" has a route with an invalid condition: A request match must have a field set`,
    ));

  test('an invalid timeout is refused', () =>
    refused(
      { routes: [{ name: 'x', condition: { method: 'GET' }, timeout: 'soon' }] },
      `ServiceProfile "${NAME}" has a route with an invalid timeout: time: invalid duration "soon"`,
    ));

  test('an out-of-range status is refused', () =>
    refused(
      {
        routes: [
          { name: 'x', condition: { method: 'GET' }, responseClasses: [{ condition: { status: { max: 600 } } }] },
        ],
      },
      'Range maximum must be between 100 and 599, inclusive',
    ));

  test('a retry budget with an invalid ttl is refused', () =>
    refused(
      { retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: 'soon' } },
      `ServiceProfile "${NAME}" RetryBudget: time: invalid duration "soon"`,
    ));

  test('the admin server answers /live, /ready and /metrics', async () => {
    for (const path of ['/live', '/ready', '/ping', '/metrics']) {
      const res = await fetch(`http://127.0.0.1:${adminPort}${path}`);
      assert.equal(res.status, 200, path);
    }
    assert.match(ctrl.logs(), /rejected ServiceProfile/);
  });
});
