// `l5d check` (and the install/version paths it guards) against a real etcd + kube-apiserver.
// The CLI runs as a child process from dist/ (run `npm run build` first). The version check talks
// to a local stand-in for the npm registry, so the suite never depends on the internet.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { renderCrds } from '../../src/manifests/crds/index.js';
import { KUBERNETES_ENDPOINT_SLICE, podStatusPatchArgs } from '../support/mesh-objects.js';
import { kubectl, REPO_ROOT, run, startTestbed, type RunResult, type Testbed } from '../support/testbed.js';

const CLI = join(REPO_ROOT, 'bin', 'run.js');

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** Gateway API CRDs as an external (non-Linkerd) installation would create them. */
function externalGatewayApiCrds(): string {
  const crds = renderCrds({
    controlPlaneNamespace: 'linkerd',
    createdBy: 'test',
    chartVersion: '0.0.0',
    gatewayApi: { httpRoutes: true, tlsRoutes: false, tcpRoutes: false },
  }).filter((crd) => crd.metadata.name.endsWith('.gateway.networking.k8s.io'));
  for (const crd of crds) delete crd.metadata.annotations?.['linkerd.io/created-by'];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds });
}

/** The category headings of `l5d check`'s table output: the lines underlined with dashes. */
function categoryHeadings(stdout: string): string[] {
  return stdout.split('\n').filter((line, i, all) => /^-+$/.test(all[i + 1] ?? '') && line !== '');
}

/** A running container that passes its readiness probe, as its kubelet reports it. */
function readyContainer(name: string) {
  return { name, ready: true, restartCount: 0, image: '', imageID: '', state: { running: {} } };
}

const SETUP_PERMISSION_LINES = [
  '× can create ServiceAccounts\n    not authorized to access serviceaccounts\n',
  '× can create Services\n    not authorized to access services\n',
  '× can create Deployments\n    not authorized to access deployments.apps\n',
  '× can create CronJobs\n    not authorized to access cronjobs.batch\n',
  '× can create ConfigMaps\n    not authorized to access configmaps\n',
  '× can create Secrets\n    not authorized to access secrets\n',
  '× can read Secrets\n    not authorized to access secrets\n',
];

describe('l5d check against a real kube-apiserver', { timeout: 600_000 }, () => {
  let tb: Testbed;
  let registry: Server;
  let registryUrl: string;
  let closedUrl: string;
  let work: string;

  const admin = (args: string[], stdin?: string) =>
    kubectl(args, { kubeconfig: tb.adminKubeconfig, ...(stdin === undefined ? {} : { stdin }) });

  /** Reports Pod `name` Running with `containers` ready; this test bed runs no kubelet. */
  const reportRunning = (name: string, namespace: string, containers: string[], status: Record<string, unknown>) =>
    admin(
      podStatusPatchArgs(name, namespace, {
        status: { phase: 'Running', ...status, containerStatuses: containers.map(readyContainer) },
      }),
    );

  const l5d = (
    args: string[],
    opts: { kubeconfig?: string; versionUrl?: string; env?: NodeJS.ProcessEnv } = {},
  ): Promise<RunResult> =>
    run('node', [CLI, ...args, '--kubeconfig', opts.kubeconfig ?? tb.adminKubeconfig], {
      allowFailure: true,
      timeoutMs: 120_000,
      env: { ...process.env, NO_COLOR: '', L5D_VERSION_CHECK_URL: opts.versionUrl ?? registryUrl, ...opts.env },
    });

  before(async () => {
    assert.ok(existsSync(join(REPO_ROOT, 'dist', 'commands', 'check.js')), 'run `npm run build` before this suite');
    work = mkdtempSync(join(tmpdir(), 'l5d-check-it-'));
    registry = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name: 'l5d', 'dist-tags': { latest: '2026.11.1' }, versions: {} }));
    });
    registryUrl = `http://127.0.0.1:${await listen(registry)}/l5d`;
    const closed = createServer();
    closedUrl = `http://127.0.0.1:${await listen(closed)}/l5d`;
    await new Promise((resolve) => closed.close(resolve));
    tb = await startTestbed();
  });

  after(async () => {
    await tb?.stop();
    registry?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('check --pre stops at the Gateway API check while its CRDs are missing', async () => {
    const r = await l5d(['check', '--pre']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /× Gateway API CRDs are installed\n {4}The Gateway API CRDs must be installed prior to installing Linkerd\. Run:\n\nkubectl apply --server-side -f https:\/\/github\.com\/kubernetes-sigs\/gateway-api\/releases\/download\/v1\.5\.1\/standard-install\.yaml\n\nor see https:\/\/gateway-api\.sigs\.k8s\.io\/guides\/#installing-gateway-api for more options\.\n {4}see https:\/\/linkerd\.io\/2\/checks\/#gateway-api-crd for hints\n/,
    );
    assert.equal(r.stdout.includes('pre-kubernetes-setup'), false, 'a fatal failure stops the run');
    assert.ok(r.stdout.endsWith('Status check results are ×\n'));
  });

  test('check --pre passes on a fresh cluster with the Gateway API installed', async () => {
    await admin(['apply', '--server-side', '-f', '-'], externalGatewayApiCrds());
    const r = await l5d(['check', '--pre']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const headings = categoryHeadings(r.stdout);
    assert.deepEqual(headings, [
      'kubernetes-api',
      'kubernetes-version',
      'gateway-api-crd',
      'pre-kubernetes-setup',
      'linkerd-version',
    ]);
    const checks = r.stdout.split('\n').filter((l) => /^[√‼×] /.test(l));
    assert.equal(checks.length, 17);
    assert.ok(
      checks.every((l) => l.startsWith('√ ')),
      r.stdout,
    );
    assert.ok(r.stdout.endsWith('\nStatus check results are √\n'));
    assert.equal(r.stdout.includes('\x1b'), false, 'no colour on a pipe');
  });

  test('offline version check only warns; --fail-on-warnings turns that into a failure', async () => {
    const offline = await l5d(['check', '--pre'], { versionUrl: closedUrl });
    assert.equal(offline.code, 0, offline.stdout);
    assert.match(
      offline.stdout,
      /‼ can determine the latest version\n {4}Get "http:\/\/127\.0\.0\.1:\d+\/l5d": .*ECONNREFUSED/,
    );
    assert.match(offline.stdout, /‼ cli is up-to-date\n {4}unable to determine version channel\n/);
    assert.ok(offline.stdout.endsWith('Status check results are √\n'));
    const strict = await l5d(['check', '--pre', '--fail-on-warnings'], { versionUrl: closedUrl });
    assert.equal(strict.code, 1);
    const clean = await l5d(['check', '--pre', '--fail-on-warnings']);
    assert.equal(clean.code, 0, clean.stdout);
    const stale = await l5d(['check', '--pre', '--cli-version-override', 'edge-26.10.1']);
    assert.match(
      stale.stdout,
      /‼ cli is up-to-date\n {4}is running version 26\.10\.1 but the latest edge version is 26\.11\.1\n/,
    );
  });

  test('check --pre -o json writes one JSON document', async () => {
    const r = await l5d(['check', '--pre', '-o', 'json'], { versionUrl: closedUrl });
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout) as {
      success: boolean;
      categories: { categoryName: string; checks: { description: string; result: string; hint?: string }[] }[];
    };
    assert.equal(doc.success, true);
    assert.equal(doc.categories.at(-1)?.categoryName, 'linkerd-version');
    const latest = doc.categories.at(-1)?.checks[0] as {
      description: string;
      hint: string;
      error: string;
      result: string;
    };
    assert.equal(latest.description, 'can determine the latest version');
    assert.equal(latest.result, 'warning');
    assert.equal(latest.hint, 'https://linkerd.io/2/checks/#l5d-version-latest');
    assert.match(latest.error, /ECONNREFUSED/);
    assert.ok(doc.categories.flatMap((c) => c.checks).every((c) => c.result !== 'error'));
  });

  test('check --pre as a user without install rights: every permission check fails with the spec message', async () => {
    // The limited user may read CRDs (so the Gateway API check passes) and nothing else relevant.
    await admin(['create', 'clusterrole', 'l5d-crd-reader', '--verb=get,list', '--resource=customresourcedefinitions']);
    await admin([
      'create',
      'clusterrolebinding',
      'l5d-crd-reader',
      '--clusterrole=l5d-crd-reader',
      '--user=l5d-limited',
    ]);
    const r = await l5d(['check', '--pre'], { kubeconfig: tb.limitedKubeconfig });
    assert.equal(r.code, 1, r.stdout);
    for (const lines of SETUP_PERMISSION_LINES)
      assert.ok(r.stdout.includes(lines), `missing:\n${lines}\nin:\n${r.stdout}`);
    assert.match(
      r.stdout,
      /× can create non-namespaced resources\n {4}cannot create Namespace\/linkerd: namespaces is forbidden: User "l5d-limited" cannot create resource "namespaces"/,
    );
    assert.match(
      r.stdout,
      /\n {4}cannot create ClusterRole\/linkerd-linkerd-identity: clusterroles\.rbac\.authorization\.k8s\.io is forbidden/,
    );
    assert.match(
      r.stdout,
      /× can read extension-apiserver-authentication configmap\n {4}configmaps "extension-apiserver-authentication" is forbidden: /,
    );
    assert.match(r.stdout, /√ control plane namespace does not already exist\n/);
    assert.ok(r.stdout.endsWith('Status check results are ×\n'));
  });

  test('flag validation errors', async () => {
    const r = await l5d(['check', '--pre', '--crds']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /Error: Validation error when executing check command: --pre and --crds flags are mutually exclusive\n/,
    );
    const o = await l5d(['check', '--pre', '-o', 'yaml']);
    assert.match(o.stderr, /Invalid output type 'yaml'\. Supported output types are: json, table, short/);
  });

  test('install refuses before the CRDs exist; install --crds is accepted by the API server; check --crds passes', async () => {
    const before = await l5d(['check', '--crds', '--wait', '1s']);
    assert.equal(before.code, 1);
    assert.match(
      before.stdout,
      /× control plane CustomResourceDefinitions exist\n {4}missing authorizationpolicies\.policy\.linkerd\.io, missing egressnetworks/,
    );

    const refused = await l5d(['install']);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, '');
    assert.match(
      refused.stderr,
      /Linkerd CRDs must be installed first\. Run (linkerd|l5d) install with the --crds flag\./,
    );

    const crds = await l5d(['install', '--crds']);
    assert.equal(crds.code, 0, crds.stderr);
    await admin(['apply', '--server-side', '-f', '-'], crds.stdout);
    const r = await l5d(['check', '--crds']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /linkerd-crd\n-{11}\n√ control plane CustomResourceDefinitions exist\n/);

    await admin(['apply', '-f', '-'], JSON.stringify(KUBERNETES_ENDPOINT_SLICE));
    const accepted = await l5d(['install']);
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.match(accepted.stdout, /kind: Deployment/);
  });

  test('install --ignore-cluster output passes a server-side dry-run apply of every object', async () => {
    const manifest = await l5d(['install', '--ignore-cluster', '-o', 'json']);
    assert.equal(manifest.code, 0, manifest.stderr);
    const objects = manifest.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { kind: string; metadata: { name: string; namespace?: string } });
    assert.ok(objects.length > 20);
    // Namespaced objects need their namespace to exist for a dry run.
    await admin(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linkerd' } }),
    );
    const file = join(work, 'install.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const r = await admin(['apply', '--server-side', '--dry-run=server', '-f', file]);
    const applied = r.stdout.split('\n').filter((l) => l.includes('(server dry run)'));
    assert.equal(applied.length, objects.length, r.stdout);
  });

  test('version shows the server version once linkerd-config exists', async () => {
    const before = await l5d(['version', '--short']);
    assert.equal(before.code, 0);
    assert.equal(before.stdout.split('\n')[1], 'unavailable');
    const manifest = await l5d(['install', '--ignore-cluster', '-o', 'json']);
    const config = manifest.stdout
      .split('\n')
      .filter((l) => l.includes('"linkerd-config"'))
      .map((l) => JSON.parse(l) as { kind: string; metadata: { name: string } })
      .find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'linkerd-config');
    assert.ok(config, 'rendered install has the linkerd-config ConfigMap');
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'linkerd' } };
    await admin(
      ['apply', '--server-side', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [namespace, config] }),
    );
    const after = await l5d(['version']);
    assert.equal(after.code, 0);
    assert.match(after.stdout, /^Client version: edge-26\.11\.1\nServer version: edge-26\.11\.1\n$/);
  });

  test('check (control plane) on an applied install: fatal stop without pods, all green with running pods', async () => {
    const manifest = await l5d(['install', '--ignore-cluster']);
    assert.equal(manifest.code, 0, manifest.stderr);
    await admin(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest.stdout);

    const waiting = await l5d(['check', '--wait', '2s']);
    assert.equal(waiting.code, 1, waiting.stdout);
    assert.match(
      waiting.stdout,
      /linkerd-existence\n-{17}\n√ 'linkerd-config' config map exists\n√ heartbeat ServiceAccount exist\n√ control plane replica sets are ready\n√ no unschedulable pods\n× control plane pods are ready\n {4}No running pods for "linkerd-destination"\n {4}see https:\/\/linkerd\.io\/2\/checks\/#l5d-api-control-ready for hints\n\nStatus check results are ×\n$/,
    );

    // No scheduler or kubelet here: create the control-plane pods and report them Running and ready.
    for (const [i, component] of ['destination', 'identity', 'proxy-injector'].entries()) {
      const name = `linkerd-${component}-5d8f9c-x${i}`;
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: 'linkerd',
          labels: { 'linkerd.io/control-plane-component': component, 'linkerd.io/control-plane-ns': 'linkerd' },
        },
        spec: {
          serviceAccountName: `linkerd-${component}`,
          automountServiceAccountToken: false,
          containers: [
            { name: 'linkerd-proxy', image: 'ghcr.io/l5d/proxy:edge-26.11.1' },
            { name: component, image: 'ghcr.io/l5d/controller:edge-26.11.1' },
          ],
        },
      };
      await admin(['apply', '-f', '-'], JSON.stringify(pod));
      await reportRunning(name, 'linkerd', ['linkerd-proxy', component], {
        podIP: `10.244.0.${10 + i}`,
        conditions: [{ type: 'Ready', status: 'True' }],
      });
    }
    const r = await l5d(['check', '--wait', '5s']);
    assert.equal(r.code, 0, r.stdout);
    const headings = categoryHeadings(r.stdout);
    assert.deepEqual(headings, [
      'kubernetes-api',
      'kubernetes-version',
      'gateway-api-crd',
      'linkerd-existence',
      'linkerd-config',
      'linkerd-identity',
      'linkerd-webhooks-and-apisvc-tls',
      'linkerd-version',
      'control-plane-version',
      'linkerd-control-plane-proxy',
      'linkerd-extension-checks',
    ]);
    const checks = r.stdout.split('\n').filter((l) => /^[√‼×] /.test(l));
    assert.ok(
      checks.every((l) => l.startsWith('√ ')),
      r.stdout,
    );
    // linkerd-existence shows 7 of 8: the podCIDR check skips itself when no node has a podCIDR.
    assert.equal(checks.length, 2 + 1 + 1 + 7 + 8 + 8 + 6 + 2 + 3 + 3 + 1);
    assert.equal(r.stdout.includes('podCIDRs'), false);
    assert.ok(r.stdout.endsWith('\nStatus check results are √\n'));

    const cli = await l5d(['check', '--wait', '5s', '--cli-version-override', 'edge-26.10.1', '-o', 'short']);
    assert.equal(cli.code, 0, cli.stdout);
    assert.match(
      cli.stdout,
      /‼ control plane and cli versions match\n {4}control plane running edge-26\.11\.1 but cli running edge-26\.10\.1\n/,
    );
    assert.match(
      cli.stdout,
      /‼ control plane proxies and cli versions match\n {4}linkerd-destination-5d8f9c-x0 running edge-26\.11\.1 but cli running edge-26\.10\.1\n/,
    );
    assert.equal(cli.stdout.includes('√'.concat(' can initialize the client')), false, 'short output hides passes');
  });

  test('check --proxy -n app reports data-plane misconfigurations as warnings', async () => {
    const podName = 'db-0';
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'app' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: 'app',
          labels: {
            'linkerd.io/control-plane-ns': 'linkerd',
            'config.linkerd.io/skip-inbound-ports': '9999',
            app: 'db',
          },
          annotations: { 'config.linkerd.io/opaque-ports': '3306' },
        },
        spec: {
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'linkerd-proxy',
              image: 'ghcr.io/l5d/proxy:edge-26.11.1',
              env: [{ name: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', value: 'an old bundle' }],
            },
            { name: 'db', image: 'mysql', ports: [{ name: 'mysql', containerPort: 3306 }] },
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'db', namespace: 'app' },
        spec: { selector: { app: 'db' }, ports: [{ port: 3306, targetPort: 'mysql' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'db', namespace: 'app' },
        subsets: [
          {
            addresses: [{ ip: '10.244.1.5', targetRef: { kind: 'Pod', name: podName, namespace: 'app' } }],
            ports: [{ port: 3306 }],
          },
        ],
      },
    ];
    await admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    await reportRunning(podName, 'app', ['linkerd-proxy', 'db'], { podIP: '10.244.1.5' });

    const r = await l5d(['check', '--proxy', '-n', 'app', '--wait', '5s']);
    assert.equal(r.code, 0, r.stdout);
    const headings = categoryHeadings(r.stdout);
    assert.deepEqual(headings, [
      'kubernetes-api',
      'kubernetes-version',
      'gateway-api-crd',
      'linkerd-existence',
      'linkerd-config',
      'linkerd-identity',
      'linkerd-webhooks-and-apisvc-tls',
      'linkerd-identity-data-plane',
      'linkerd-version',
      'linkerd-control-plane-proxy',
      'linkerd-data-plane',
    ]);
    assert.ok(
      r.stdout.includes(
        '‼ data plane proxies certificate match CA\n    Some pods do not have the current trust bundle and must be restarted:\n\t* db-0\n',
      ),
      r.stdout,
    );
    assert.ok(
      r.stdout.includes(
        '‼ data plane pod labels are configured correctly\n    Some labels on data plane pods should be annotations:\n\t* app/db-0\n\t\tconfig.linkerd.io/skip-inbound-ports\n',
      ),
      r.stdout,
    );
    assert.ok(
      r.stdout.includes(
        '‼ opaque ports are properly annotated\n    \t* service db targets the opaque port mysql; add it to its config.linkerd.io/opaque-ports annotation\n',
      ),
      r.stdout,
    );
    assert.match(
      r.stdout,
      /√ data plane namespace exists\n√ data plane proxies are ready\n√ data plane is up-to-date\n/,
    );
  });

  test('extension checks: one JSON document covers core, extension and missing-extension results', async () => {
    const bin = join(work, 'ext-bin');
    mkdirSync(bin);
    const report = {
      success: true,
      categories: [{ categoryName: 'linkerd-foo', checks: [{ description: 'foo is happy', result: 'success' }] }],
    };
    // The extension records its arguments so the forwarded flags can be checked.
    writeFileSync(
      join(bin, 'linkerd-foo'),
      `#!/bin/sh\necho "$@" > ${join(work, 'foo-args')}\necho '${JSON.stringify(report)}'\n`,
    );
    chmodSync(join(bin, 'linkerd-foo'), 0o755);
    for (const [name, ext] of [
      ['foo-ext', 'foo'],
      ['ghost-ext', 'ghost'],
    ]) {
      await admin(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name, labels: { 'linkerd.io/extension': ext } },
        }),
      );
    }
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    const r = await l5d(['check', '-o', 'json', '--wait', '5s'], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const doc = JSON.parse(r.stdout) as {
      success: boolean;
      categories: { categoryName: string; checks: { result: string }[] }[];
    };
    assert.equal(doc.success, true);
    const names = doc.categories.map((c) => c.categoryName);
    assert.deepEqual(names.slice(-2), ['linkerd-foo', 'linkerd-ghost']);
    assert.equal(doc.categories.at(-1)?.checks[0]?.result, 'warning');
    assert.equal(
      readFileSync(join(work, 'foo-args'), 'utf8'),
      `check --as-group=[] --kubeconfig=${tb.adminKubeconfig} --linkerd-namespace=linkerd --verbose=false --proxy=false --wait=5s --output=json\n`,
    );
    const table = await l5d(['check', '--wait', '5s'], { env });
    assert.match(
      table.stdout,
      /\n\nlinkerd-foo\n-{11}\n√ foo is happy\n\nlinkerd-ghost\n-{13}\n‼ Linkerd extension command linkerd-ghost exists\n {4}exec: "linkerd-ghost": executable file not found in \$PATH\n {4}see https:\/\/linkerd\.io\/2\/checks\/#extensions for hints\n\nStatus check results are √\n$/,
    );
  });
});
