// Data-plane benchmark in network namespaces (root): requests/s and latency for direct
// app-to-app, through one proxy (inbound, plaintext) and through two proxies with mTLS (the
// e2e topology); opaque TCP throughput; proxy RSS idle and under load, and PASS/FAIL against the
// idle target. The idle target is checked twice: with static identity and discovery, and as in a
// cluster, certified by the real identity controller and routed by the real destination controller
// (test bed API server). Next to the proxies run a bare Node process and the "Node floor"
// (bench/node-floor.cjs: the same builtins and kinds of work without proxy code), so the proxy's
// own share is visible.
// The target applies to the settled idle process: V8's memory reducer first runs ~8 s after
// start-up and gives back the young generation grown while starting; the +2 s sample is shown but
// not judged.
// Run: npm run build && node --import tsx bench/proxy-bench.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ControlPlane, endpointSlice, serviceObject } from '../test/dataplane/control-plane.js';
import { Mesh, type Pod, REPO, createCa, identityName } from '../test/dataplane/netns-mesh.js';

process.env['L5D_DATAPLANE_USE_DIST'] ??= '1';
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 5000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const IDLE_TARGET_MIB = 45;
/** V8's memory reducer first runs 8 s after start-up and returns the young generation's pages. */
const SETTLE_MS = 10_000;

interface HttpResult {
  requests: number;
  errors: number;
  rps: number;
  p50Us: number;
  p99Us: number;
}

function run<T>(pod: Pod, cmd: Record<string, unknown>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ip',
      ['netns', 'exec', pod.ns, process.execPath, join(REPO, 'bench/loadgen.mjs'), JSON.stringify(cmd)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', () => {
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`loadgen printed ${out}`));
      }
    });
  });
}

interface Rss {
  rss: number;
  hwm: number;
  anon: number;
  file: number;
}

function rssKiB(pid: number | undefined): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (n: string): number => Number(new RegExp(`${n}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: field('VmRSS'), hwm: field('VmHWM'), anon: field('RssAnon'), file: field('RssFile') };
}

const mib = (k: number): string => (k / 1024).toFixed(1);
const breakdown = (r: Rss): string => `${mib(r.rss)} MiB (anon ${mib(r.anon)}, file ${mib(r.file)})`;
const verdict = (r: Rss): string => (r.rss / 1024 <= IDLE_TARGET_MIB ? 'PASS' : 'FAIL');

interface FloorFiles {
  cert: string;
  key: string;
  ca: string;
}

/** Starts bench/node-floor.cjs; resolves once it has done its work. */
function startFloor(files: FloorFiles, h2Address?: string): Promise<ChildProcess> {
  const args = [join(REPO, 'bench/node-floor.cjs'), files.cert, files.key, files.ca];
  const child = spawn(process.execPath, h2Address === undefined ? args : [...args, h2Address], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`node-floor.cjs exited with ${code}`)));
  });
}

/** A loopback HTTP/2 server for the floor process's one control-plane-like call. */
async function h2Server(): Promise<http2.Http2Server> {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200 });
    stream.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

const sleepUntil = (t: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

/** Idle RSS at +2 s and settled, then after `load()`, of proxies certified and routed by the real controllers. */
async function controlPlaneRss(
  mesh: Mesh,
  files: FloorFiles,
  load: (pod: Pod, url: string) => Promise<HttpResult>,
): Promise<string[]> {
  const cp = await ControlPlane.start(mesh);
  const h2 = await h2Server();
  let floor: ChildProcess | undefined;
  try {
    const [client, server] = [mesh.addPod('cp-client'), mesh.addPod('cp-server')];
    for (const sa of ['bench-client', 'bench-server']) await cp.createServiceAccount(sa);
    await cp.apply(serviceObject('bench', 'bench-server', [{ name: 'http', port: 80, targetPort: 'http' }]));
    const ip = await cp.clusterIp('bench');
    await cp.createPod(client, 'bench-client', 'bench-client', '');
    await cp.createPod(server, 'bench-server', 'bench-server', '');
    await cp.apply(endpointSlice('bench', [{ name: 'http', port: 8080 }], [server]));
    for (const pod of [client, server]) await cp.joinMesh(pod);
    await mesh.startApp(server);
    await cp.startProxy(client, 'bench-client');
    await cp.startProxy(server, 'bench-server');
    floor = await startFloor(files, `127.0.0.1:${(h2.address() as AddressInfo).port}`);
    await Promise.all([mesh.waitReady(client), mesh.waitReady(server)]);
    const readyAt = Date.now();
    await sleepUntil(readyAt + 2000);
    const idle = { a: rssKiB(client.proxy?.pid), b: rssKiB(server.proxy?.pid), floor: rssKiB(floor.pid) };
    await sleepUntil(readyAt + SETTLE_MS);
    const settled = { a: rssKiB(client.proxy?.pid), b: rssKiB(server.proxy?.pid), floor: rssKiB(floor.pid) };
    const url = `http://${ip}/`;
    await load(client, url);
    const loaded = await load(client, url);
    const after = { a: rssKiB(client.proxy?.pid), b: rssKiB(server.proxy?.pid) };
    if (loaded.errors > 0) throw new Error(`load through the controllers failed: ${JSON.stringify(loaded)}`);
    return [
      `with the real identity and destination controllers (certified, discovery on):`,
      `  Node floor with an HTTP/2 client call: ${breakdown(idle.floor)} at +2 s, ${breakdown(settled.floor)} at +${SETTLE_MS / 1000} s`,
      `  proxy RSS idle +2 s after ready: client ${breakdown(idle.a)}, server ${breakdown(idle.b)}`,
      `  proxy RSS idle +${SETTLE_MS / 1000} s (settled): client ${breakdown(settled.a)} ${verdict(settled.a)}, server ${breakdown(settled.b)} ${verdict(settled.b)}`,
      `  two proxies (mTLS, discovered): ${loaded.rps} rps; RSS after load: client ${mib(after.a.rss)} MiB (peak ${mib(after.a.hwm)}), server ${mib(after.b.rss)} MiB (peak ${mib(after.b.hwm)})`,
    ];
  } finally {
    floor?.kill();
    h2.close();
    await cp.stop();
  }
}

async function main(): Promise<void> {
  const mesh = new Mesh();
  let bare: ChildProcess | undefined;
  let floor: ChildProcess | undefined;
  try {
    const ca = await createCa('bench-root');
    const [a, b, c, client] = ['a', 'b', 'c', 'client'].map((n) => mesh.addPod(n)) as [Pod, Pod, Pod, Pod];
    mesh.proxyInit(a);
    mesh.proxyInit(b);
    await Promise.all([mesh.startApp(b), mesh.startApp(c)]);
    const idA = identityName('bench-a');
    const idB = identityName('bench-b');
    const [certA, certB] = await Promise.all([ca.issue(idA), ca.issue(idB)]);
    const ep = (port: number): Record<string, unknown> => ({
      address: b.ip,
      port,
      identity: idB,
      opaqueTransportPort: 4143,
    });
    mesh.startProxy(a, {
      identity: idA,
      keyPkcs8: certA.keyPkcs8,
      certPem: certA.certPem,
      trustAnchorsPem: ca.certPem,
      discovery: {
        '10.96.0.10:80': { endpoints: [ep(8080)] },
        '10.96.0.13:9001': { opaque: true, endpoints: [ep(9001)] },
      },
    });
    mesh.startProxy(b, {
      identity: idB,
      keyPkcs8: certB.keyPkcs8,
      certPem: certB.certPem,
      trustAnchorsPem: ca.certPem,
      discovery: {},
    });
    // The baseline: what Node itself costs on this machine, started with the proxies.
    bare = spawn('ip', ['netns', 'exec', c.ns, process.execPath, '-e', 'setInterval(() => {}, 1e9)'], {
      stdio: 'ignore',
    });
    const files = {
      cert: join(mesh.dir, 'floor-cert.pem'),
      key: join(mesh.dir, 'floor-key.pem'),
      ca: join(mesh.dir, 'floor-ca.pem'),
    };
    writeFileSync(files.cert, certA.certPem);
    writeFileSync(files.key, certA.keyPem);
    writeFileSync(files.ca, ca.certPem);
    floor = await startFloor(files);
    await Promise.all([mesh.waitReady(a), mesh.waitReady(b)]);
    const readyAt = Date.now();
    await sleepUntil(readyAt + 2000);
    const idle = { a: rssKiB(a.proxy?.pid), b: rssKiB(b.proxy?.pid), bare: rssKiB(bare.pid), floor: rssKiB(floor.pid) };
    await sleepUntil(readyAt + SETTLE_MS);
    const settled = {
      a: rssKiB(a.proxy?.pid),
      b: rssKiB(b.proxy?.pid),
      bare: rssKiB(bare.pid),
      floor: rssKiB(floor.pid),
    };
    floor.kill();

    const load = (pod: Pod, url: string): Promise<HttpResult> =>
      run<HttpResult>(pod, {
        mode: 'http',
        url,
        concurrency: CONCURRENCY,
        durationMs: DURATION_MS,
        maxRequests: 2_000_000,
      });
    const latency = (pod: Pod, url: string): Promise<HttpResult> =>
      run<HttpResult>(pod, { mode: 'http', url, concurrency: 1, durationMs: 2000, maxRequests: 200_000 });
    await load(client, `http://${c.ip}:8080/warm`);
    await load(a, 'http://10.96.0.10/warm');
    const direct = await load(client, `http://${c.ip}:8080/`);
    const oneHop = await load(client, `http://${b.ip}:8080/`);
    const twoHops = await load(a, 'http://10.96.0.10/');
    const directLat = await latency(client, `http://${c.ip}:8080/`);
    const oneHopLat = await latency(client, `http://${b.ip}:8080/`);
    const twoHopsLat = await latency(a, 'http://10.96.0.10/');
    const loaded = { a: rssKiB(a.proxy?.pid), b: rssKiB(b.proxy?.pid) };
    const tcpDirect = await run<{ gbitPerSec: number }>(client, {
      mode: 'tcp',
      host: c.ip,
      port: 9001,
      megabytes: 512,
    });
    const tcpMesh = await run<{ gbitPerSec: number }>(a, {
      mode: 'tcp',
      host: '10.96.0.13',
      port: 9001,
      megabytes: 512,
    });

    const row = (name: string, r: HttpResult, l: HttpResult): string =>
      `${name.padEnd(28)} ${String(r.rps).padStart(7)} rps  x${(r.rps / direct.rps).toFixed(2)}  p50 ${String(l.p50Us).padStart(5)}µs  p99 ${String(l.p99Us).padStart(6)}µs (c=1)  p99 ${r.p99Us}µs (c=${CONCURRENCY})  errors ${r.errors}`;
    const lines = [
      `HTTP/1.1 keep-alive, ${CONCURRENCY} connections, ${DURATION_MS} ms per run (loopback veths, 2 shared cores)`,
      row('direct app-to-app', direct, directLat),
      row('one proxy (inbound, plain)', oneHop, oneHopLat),
      row('two proxies (mTLS)', twoHops, twoHopsLat),
      `opaque TCP: direct ${tcpDirect.gbitPerSec} Gbit/s, two proxies mTLS ${tcpMesh.gbitPerSec} Gbit/s (x${(tcpMesh.gbitPerSec / tcpDirect.gbitPerSec).toFixed(2)})`,
      `bare node RSS: ${breakdown(idle.bare)} at +2 s, ${breakdown(settled.bare)} at +${SETTLE_MS / 1000} s`,
      `Node floor (same builtins and work, no proxy code): ${breakdown(idle.floor)} at +2 s, ${breakdown(settled.floor)} at +${SETTLE_MS / 1000} s`,
      `proxy RSS idle +2 s after ready: A ${breakdown(idle.a)}, B ${breakdown(idle.b)}`,
      `proxy RSS idle +${SETTLE_MS / 1000} s (settled): A ${breakdown(settled.a)} ${verdict(settled.a)}, B ${breakdown(settled.b)} ${verdict(settled.b)} (target ≤ ${IDLE_TARGET_MIB} MiB)`,
      `proxy RSS after load: A ${mib(loaded.a.rss)} MiB (peak ${mib(loaded.a.hwm)}), B ${mib(loaded.b.rss)} MiB (peak ${mib(loaded.b.hwm)})`,
      ...(await controlPlaneRss(mesh, files, load)),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    bare?.kill();
    floor?.kill();
    mesh.destroy();
  }
}

await main();
