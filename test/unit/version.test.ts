import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { L5D_VERSION, chartVersionOf } from '../../src/version.js';
import { renderVersion } from '../../src/versions/render.js';
import { imageTag } from '../../src/versions/proxy.js';
import { resolveControlPlaneNamespace } from '../../src/cli/root-flags.js';

test('the npm package version is the chart version of the release version', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  assert.match(L5D_VERSION, /^edge-\d{2}\.\d{1,2}\.\d+$/);
  assert.equal(pkg.version, chartVersionOf(L5D_VERSION));
});

test('renderVersion prints labelled and short forms', () => {
  assert.equal(
    renderVersion({ client: 'edge-1.2.3', server: null }, false),
    'Client version: edge-1.2.3\nServer version: unavailable\n',
  );
  assert.equal(renderVersion({ client: 'edge-1.2.3', server: 'edge-1.2.2' }, true), 'edge-1.2.3\nedge-1.2.2\n');
  assert.equal(renderVersion({ client: 'edge-1.2.3' }, true), 'edge-1.2.3\n');
  assert.equal(
    renderVersion({ client: 'a', server: 'b', proxies: [{ version: 'v1', pods: 3 }] }, false),
    'Client version: a\nServer version: b\nProxy versions:\n\tv1 (3 pods)\n',
  );
  assert.equal(renderVersion({ client: 'a', server: 'b', proxies: null }, true), 'a\nb\nProxy versions: unavailable\n');
});

test('imageTag takes the tag after the last colon, none for digests or registry ports', () => {
  assert.equal(imageTag('cr.l5d.io/linkerd/proxy:edge-26.8.3'), 'edge-26.8.3');
  assert.equal(imageTag('localhost:5000/proxy'), '');
  assert.equal(imageTag('proxy@sha256:abc'), '');
});

test('LINKERD_NAMESPACE overrides -L only when it is exactly "linkerd"', () => {
  assert.equal(resolveControlPlaneNamespace('linkerd', { LINKERD_NAMESPACE: 'mesh' }), 'mesh');
  assert.equal(resolveControlPlaneNamespace('other', { LINKERD_NAMESPACE: 'mesh' }), 'other');
  assert.equal(resolveControlPlaneNamespace('linkerd', {}), 'linkerd');
  assert.throws(() => resolveControlPlaneNamespace('bad_ns', {}), /^Error: bad_ns is not a valid namespace$/);
});

test('an empty or unparsable kubeconfig is reported with its path', async (t) => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { resolveConnection } = await import('../../src/kube/connection.js');
  const dir = mkdtempSync(join(tmpdir(), 'l5d-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const empty = join(dir, 'empty');
  const broken = join(dir, 'broken');
  writeFileSync(empty, '\n');
  writeFileSync(broken, 'clusters: [');
  await assert.rejects(resolveConnection({ kubeconfig: empty }), {
    message: `error loading config file "${empty}": the file is empty`,
  });
  await assert.rejects(resolveConnection({ kubeconfig: broken }), (err: Error) =>
    err.message.startsWith(`error loading config file "${broken}": `),
  );
});
