// Proves the Kubernetes test bed (testbed/up.sh via test/support/testbed.ts) behaves like the
// parts of a real cluster that l5d's integration tests rely on.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { kubectl, startTestbed, type Testbed } from '../support/testbed.js';

const NS = 'l5d-testbed-it';
const SA = 'identity-probe';
const AUDIENCE = 'identity.l5d.io';

/** True if `pid` exists and is not a zombie (an exited child waiting to be reaped). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function decodeJwtPayload(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.');
  assert.equal(parts.length, 3, `not a JWT: ${jwt}`);
  return JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; groups?: string[] };
  audiences?: string[];
  error?: string;
}

describe('kubernetes test bed', () => {
  let tb: Testbed;
  const admin = (args: string[], stdin?: string) =>
    kubectl(args, stdin === undefined ? { kubeconfig: tb.adminKubeconfig } : { kubeconfig: tb.adminKubeconfig, stdin });

  before(async () => {
    tb = await startTestbed();
  });
  after(async () => {
    await tb?.stop();
  });

  test('API server is ready and serves the pinned version', async () => {
    assert.match(tb.apiUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    const readyz = await admin(['get', '--raw', '/readyz']);
    assert.equal(readyz.stdout.trim(), 'ok');
    const version = JSON.parse((await admin(['get', '--raw', '/version'])).stdout) as { gitVersion: string };
    assert.match(version.gitVersion, /^v1\.34\.\d+$/);
    // The API server itself maintains the default/kubernetes Service (no controller-manager needed).
    const svc = JSON.parse((await admin(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'json'])).stdout) as {
      spec: { clusterIP: string };
    };
    assert.equal(svc.spec.clusterIP, '10.96.0.1');
  });

  test('admin can apply a namespace', async () => {
    const res = await admin(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`);
    assert.match(res.stdout, new RegExp(`namespace/${NS} (created|unchanged|configured)`));
    const ns = JSON.parse((await admin(['get', 'namespace', NS, '-o', 'json'])).stdout) as {
      status: { phase: string };
    };
    assert.equal(ns.status.phase, 'Active');
  });

  test('ServiceAccount tokens with an explicit audience pass TokenReview', async () => {
    await admin(['create', 'serviceaccount', SA, '-n', NS]);
    const token = (await admin(['create', 'token', SA, '-n', NS, '--audience', AUDIENCE])).stdout.trim();
    const claims = decodeJwtPayload(token);
    assert.deepEqual(claims.aud, [AUDIENCE]);
    assert.equal(claims.sub, `system:serviceaccount:${NS}:${SA}`);

    const review = (audiences: string[]) =>
      admin(
        ['create', '-o', 'json', '-f', '-'],
        JSON.stringify({
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenReview',
          spec: audiences.length > 0 ? { token, audiences } : { token },
        }),
      ).then((r) => (JSON.parse(r.stdout) as { status: TokenReviewStatus }).status);

    const ok = await review([AUDIENCE]);
    assert.equal(ok.authenticated, true, JSON.stringify(ok));
    assert.equal(ok.user?.username, `system:serviceaccount:${NS}:${SA}`);
    assert.ok(ok.user?.groups?.includes(`system:serviceaccounts:${NS}`));
    assert.deepEqual(ok.audiences, [AUDIENCE]);

    // The same token must not authenticate for the API server's own audience.
    const wrong = await review([]);
    assert.notEqual(wrong.authenticated, true, JSON.stringify(wrong));
  });

  test('limited user can list namespaces but not create them', async () => {
    const limited = { kubeconfig: tb.limitedKubeconfig };
    const list = await kubectl(['get', 'namespaces', '-o', 'name'], limited);
    assert.match(list.stdout, new RegExp(`namespace/${NS}`));

    // Raw POST: kubectl's client-side validation would need to list CRDs, which this user may not.
    const ssar = await kubectl(
      ['create', '--raw', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '-f', '-'],
      {
        ...limited,
        stdin: JSON.stringify({
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb: 'create', resource: 'namespaces' } },
        }),
      },
    );
    const status = (JSON.parse(ssar.stdout) as { status: { allowed: boolean } }).status;
    assert.equal(status.allowed, false);

    const canList = await kubectl(['auth', 'can-i', 'list', 'namespaces'], limited);
    assert.equal(canList.stdout.trim(), 'yes');
    const canGetSecrets = await kubectl(['auth', 'can-i', 'get', 'secrets', '-n', NS], {
      ...limited,
      allowFailure: true,
    });
    assert.equal(canGetSecrets.stdout.trim(), 'no');

    const create = await kubectl(['create', 'namespace', 'l5d-forbidden'], { ...limited, allowFailure: true });
    assert.notEqual(create.code, 0);
    assert.match(create.stderr, /forbidden/i);
  });

  test('server-side dry-run apply validates without persisting', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n  namespace: ${NS}\ndata:\n  k: v\n`;
    const res = await admin(['apply', '--server-side', '--dry-run=server', '--field-manager=l5d', '-f', '-'], cm);
    assert.match(res.stdout, /configmap\/dry serverside-applied \(server dry run\)/);
    const get = await kubectl(['get', 'configmap', 'dry', '-n', NS], {
      kubeconfig: tb.adminKubeconfig,
      allowFailure: true,
    });
    assert.notEqual(get.code, 0);
    assert.match(get.stderr, /NotFound|not found/);
  });

  test('stop() kills the processes and removes the directory', async () => {
    const { pids, dir } = tb;
    assert.ok(isAlive(pids.etcd) && isAlive(pids.apiserver));
    await tb.stop();
    assert.equal(isAlive(pids.etcd), false, 'etcd still running');
    assert.equal(isAlive(pids.apiserver), false, 'kube-apiserver still running');
    assert.equal(existsSync(dir), false, `${dir} still exists`);
  });
});
