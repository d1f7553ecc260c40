// The proxy as shipped: bin/l5d-proxy.cjs running the minified CommonJS bundle (npm run build),
// certified by the real identity controller and routed by the real destination controller. The
// other data-plane tests run the TypeScript sources; this one proves the bundle's lazy paths
// (identity client at start-up, destination client and HTTP/2 on first use) and the native addon.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ControlPlane, SERVICE_PORTS, endpointSlice, idOf, serviceObject } from './control-plane.js';
import { Mesh, REPO, type Pod } from './netns-mesh.js';
import { assertGrpc, assertMeshedHttp1, assertOpaqueTcp } from './scenarios.js';

const isRoot = process.getuid?.() === 0;
const BUNDLE = join(REPO, 'dist/runtime/proxy/bundle/run.cjs');
const PORTS = [
  { name: 'http', port: 8080 },
  { name: 'grpc', port: 8081 },
  { name: 'echo', port: 9000 },
];

describe('the bundled proxy (bin/l5d-proxy.cjs) with the real controllers', { skip: !isRoot && 'needs root' }, () => {
  let mesh: Mesh;
  let cp: ControlPlane | undefined;
  let client: Pod;
  let server: Pod;
  let ip: string;

  before(async () => {
    assert.ok(existsSync(BUNDLE), `${BUNDLE} is missing: run npm run build`);
    process.env['L5D_DATAPLANE_USE_DIST'] = '1';
    mesh = new Mesh();
    cp = await ControlPlane.start(mesh);
    [client, server] = [mesh.addPod('bundle-a'), mesh.addPod('bundle-b')];
    for (const sa of ['bundle-client', 'bundle-server']) await cp.createServiceAccount(sa);
    await cp.apply(serviceObject('bundled', 'bundle-server', SERVICE_PORTS, '9000'));
    ip = await cp.clusterIp('bundled');
    await cp.createPod(client, 'bundle-client', 'bundle-client', '');
    await cp.createPod(server, 'bundle-server', 'bundle-server', '9000');
    await cp.apply(endpointSlice('bundled', PORTS, [server]));
    for (const pod of [client, server]) await cp.joinMesh(pod);
    await mesh.startApp(server);
    await cp.startProxy(client, 'bundle-client');
    await cp.startProxy(server, 'bundle-server');
    await Promise.all([mesh.waitReady(client), mesh.waitReady(server)]);
  });

  after(async () => {
    mesh?.destroy();
    await cp?.stop();
  });

  it('runs the bundle, not the sources', () => {
    const args = client.proxy?.spawnargs ?? [];
    assert.ok(
      args.some((a) => a.endsWith('bin/l5d-proxy.cjs')),
      args.join(' '),
    );
  });

  it('carries HTTP/1, gRPC and opaque TCP to the discovered Service over mTLS', async () => {
    await assertMeshedHttp1(mesh, client, `http://${ip}/bundled`, [server], idOf('bundle-client'));
    await assertGrpc(mesh, client, `http://${ip}:81`, [server], idOf('bundle-client'));
    await assertOpaqueTcp(mesh, client, { host: ip, port: 9000 }, [server], idOf('bundle-client'));
  });

  it('reports the certificate the identity controller issued', async () => {
    const metrics = await mesh.metrics(client);
    const expiry = Number(/identity_cert_expiration_timestamp_seconds (\d+)/.exec(metrics)?.[1]);
    assert.ok(expiry > Date.now() / 1000 + 23 * 3600, `24h leaf expected, got ${expiry}`);
  });
});
