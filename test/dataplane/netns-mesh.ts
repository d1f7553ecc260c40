// Test harness: "pods" as network namespaces on a bridge (itself in a namespace, so nothing
// touches the host's network), each with proxy-init rules, an l5d proxy running as uid 2102
// and a test app. Every namespace and process is removed by destroy(), also after failures.
import 'reflect-metadata';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { encodePem } from '../../src/util/pem.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES = join(REPO, 'test', 'dataplane', 'fixtures');
export const PROXY_UID = 2102;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export function sh(args: string[], allowFail = false): string {
  const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
  if (!allowFail && r.status !== 0)
    throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

export interface Ca {
  certPem: string;
  issue(identity: string): Promise<{ certPem: string; keyPkcs8: Buffer; keyPem: string }>;
}

export async function createCa(name: string): Promise<Ca> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  let serial = 2;
  return {
    certPem: cert.toString('pem') + '\n',
    async issue(identity) {
      const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: (serial++).toString(16).padStart(2, '0'),
        subject: `CN=${identity}`,
        issuer: cert.subject,
        notBefore: new Date(now - 20_000),
        notAfter: new Date(now + 86_400_000),
        signingKey: keys.privateKey,
        publicKey: leafKeys.publicKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: identity }]),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        ],
      });
      const keyPkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
      return { certPem: leaf.toString('pem') + '\n', keyPkcs8, keyPem: encodePem('PRIVATE KEY', keyPkcs8) };
    },
  };
}

export function identityName(sa: string, ns = 'l5dtest'): string {
  return `${sa}.${ns}.serviceaccount.identity.linkerd.cluster.local`;
}

export interface Pod {
  name: string;
  ns: string;
  ip: string;
  dir: string;
  proxy?: ChildProcess;
  proxyLog: string[];
  app?: ChildProcess;
}

export interface ProxySpec {
  identity: string;
  /** Without a key the proxy makes its own key and CSR and certifies (as in a real pod). */
  keyPkcs8?: Uint8Array;
  trustAnchorsPem: string;
  /** Written to the static cert file now, or later with installCert(). */
  certPem?: string;
  /** Static discovery; without it the proxy uses the destination controller. */
  discovery?: Record<string, unknown>;
  /** Certify mode (identity controller): the CSR and ServiceAccount token; without a CSR the
   * certificate is read from a file (`certPem` / installCert()). */
  csrDer?: Uint8Array;
  token?: string;
  env?: Record<string, string>;
}

export class Mesh {
  readonly prefix = `l5dt-${process.pid}-`;
  readonly bridgeNs = `${this.prefix}net`;
  readonly pods = new Map<string, Pod>();
  readonly dir = mkdtempSync(join(tmpdir(), 'l5dt-'));
  private readonly processes = new Set<ChildProcess>();
  private index = 10;

  private destroyed = false;

  constructor() {
    // Clean up even when the test run is interrupted.
    process.once('exit', () => this.destroy());
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        this.destroy();
        process.exit(130);
      });
    }
    chmodSync(this.dir, 0o755);
    sh(['ip', 'netns', 'add', this.bridgeNs]);
    sh(['ip', '-n', this.bridgeNs, 'link', 'add', 'br0', 'type', 'bridge']);
    sh(['ip', '-n', this.bridgeNs, 'link', 'set', 'br0', 'up']);
  }

  addPod(name: string): Pod {
    const ns = `${this.prefix}${name}`;
    const ip = `10.77.0.${this.index++}`;
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', this.bridgeNs, 'link', 'add', `h-${name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh(['ip', '-n', this.bridgeNs, 'link', 'set', `h-${name}`, 'master', 'br0', 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    // Service IPs (10.96.0.0/16) are routed out of eth0; the NAT rules redirect them first.
    sh(['ip', '-n', ns, 'route', 'add', 'default', 'dev', 'eth0']);
    const dir = join(this.dir, name);
    rmSync(dir, { recursive: true, force: true });
    sh(['mkdir', '-p', dir]);
    chmodSync(dir, 0o755);
    const pod: Pod = { name, ns, ip, dir, proxyLog: [] };
    this.pods.set(name, pod);
    return pod;
  }

  proxyInit(pod: Pod): string {
    return sh([
      process.execPath,
      '--import',
      'tsx',
      join(REPO, 'src/runtime/proxy-init/run.ts'),
      '--netns',
      `/run/netns/${pod.ns}`,
      '--incoming-proxy-port',
      '4143',
      '--outgoing-proxy-port',
      '4140',
      '--proxy-uid',
      String(PROXY_UID),
      '--inbound-ports-to-ignore',
      '4190,4191,4567,4568',
      '--outbound-ports-to-ignore',
      '4567,4568',
      '--firewall-bin-path',
      'iptables-nft',
      '--firewall-save-bin-path',
      'iptables-nft-save',
      '--ipv6=false',
    ]);
  }

  private track(child: ChildProcess): ChildProcess {
    this.processes.add(child);
    child.once('exit', () => this.processes.delete(child));
    return child;
  }

  startApp(pod: Pod): Promise<void> {
    const child = this.track(
      spawn('ip', ['netns', 'exec', pod.ns, process.execPath, join(FIXTURES, 'app-server.mjs'), pod.name], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    pod.app = child;
    return new Promise((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`app in ${pod.name} exited ${code}`)));
    });
  }

  writeDiscovery(pod: Pod, discovery: Record<string, unknown>): void {
    const file = join(pod.dir, 'discovery.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(discovery));
    chmodSync(`${file}.tmp`, 0o644);
    spawnSync('mv', [`${file}.tmp`, file]);
  }

  installCert(pod: Pod, certPem: string): void {
    const file = join(pod.dir, 'cert.pem');
    writeFileSync(`${file}.tmp`, certPem);
    chmodSync(`${file}.tmp`, 0o644);
    spawnSync('mv', [`${file}.tmp`, file]);
  }

  startProxy(pod: Pod, spec: ProxySpec): void {
    const idDir = join(pod.dir, 'identity');
    sh(['mkdir', '-p', idDir]);
    if (spec.keyPkcs8) writeFileSync(join(idDir, 'key.p8'), spec.keyPkcs8);
    if (spec.csrDer) writeFileSync(join(idDir, 'csr.der'), spec.csrDer);
    writeFileSync(join(pod.dir, 'token'), spec.token ?? 'token');
    chmodSync(join(pod.dir, 'token'), 0o644);
    sh(['chown', '-R', `${PROXY_UID}:${PROXY_UID}`, idDir]);
    if (spec.discovery) this.writeDiscovery(pod, spec.discovery);
    if (spec.certPem) this.installCert(pod, spec.certPem);
    // A key without a CSR means the certificate comes from a file; without static discovery,
    // endpoints come from the destination controller.
    const staticCert = spec.keyPkcs8 !== undefined && spec.csrDer === undefined;
    const staticEnv: Record<string, string> = {
      ...(!staticCert ? {} : { L5D_PROXY_STATIC_IDENTITY_CERT: join(pod.dir, 'cert.pem') }),
      ...(spec.discovery ? { L5D_PROXY_STATIC_DISCOVERY: join(pod.dir, 'discovery.json') } : {}),
    };
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      LINKERD2_PROXY_LOG: 'warn,linkerd=info',
      LINKERD2_PROXY_IDENTITY_DIR: idDir,
      LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS: spec.trustAnchorsPem,
      LINKERD2_PROXY_IDENTITY_TOKEN_FILE: join(pod.dir, 'token'),
      LINKERD2_PROXY_IDENTITY_LOCAL_NAME: spec.identity,
      LINKERD2_PROXY_IDENTITY_SVC_ADDR: 'localhost.:8080',
      LINKERD2_PROXY_DESTINATION_SVC_ADDR: 'localhost.:8086',
      LINKERD2_PROXY_POLICY_SVC_ADDR: 'localhost.:8090',
      LINKERD2_PROXY_POLICY_WORKLOAD: JSON.stringify({ ns: 'l5dtest', pod: pod.name }),
      LINKERD2_PROXY_INBOUND_LISTEN_ADDR: '0.0.0.0:4143',
      LINKERD2_PROXY_ADMIN_LISTEN_ADDR: '0.0.0.0:4191',
      LINKERD2_PROXY_INBOUND_IPS: pod.ip,
      LINKERD2_PROXY_SHUTDOWN_GRACE_PERIOD: '5s',
      ...staticEnv,
      ...spec.env,
    };
    const entry = process.env['L5D_DATAPLANE_USE_DIST']
      ? [join(REPO, 'bin/l5d-proxy.cjs')]
      : ['--import', 'tsx', join(REPO, 'src/runtime/proxy/run.ts')];
    const child = this.track(
      spawn(
        'ip',
        [
          'netns',
          'exec',
          pod.ns,
          'setpriv',
          `--reuid=${PROXY_UID}`,
          `--regid=${PROXY_UID}`,
          '--clear-groups',
          process.execPath,
          ...entry,
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO },
      ),
    );
    const collect = (d: Buffer): void => void pod.proxyLog.push(d.toString());
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    pod.proxy = child;
  }

  /** Starts a helper process (fixture script) inside `pod`'s namespace, or in the root one. */
  helper(pod: Pod | undefined, script: string, args: string[]): Promise<void> {
    const argv = [process.execPath, join(FIXTURES, script), ...args];
    const child = this.track(
      pod
        ? spawn('ip', ['netns', 'exec', pod.ns, ...argv], { stdio: ['ignore', 'pipe', 'inherit'] })
        : spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    return new Promise((resolve, reject) => {
      child.stdout?.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
    });
  }

  /** Runs the test client inside `pod`'s namespace as root (so its traffic is redirected). */
  client<T = Record<string, unknown>>(pod: Pod, command: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const child = this.track(
        spawn(
          'ip',
          ['netns', 'exec', pod.ns, process.execPath, join(FIXTURES, 'app-client.mjs'), JSON.stringify(command)],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        ),
      );
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        const line = out.trim().split('\n')[0];
        try {
          resolve(JSON.parse(line ?? '') as T);
        } catch {
          reject(new Error(`client in ${pod.name} printed ${JSON.stringify(out)}`));
        }
      });
    });
  }

  /** GET on a pod's admin port from inside the pod. */
  async admin(pod: Pod, path: string): Promise<{ status: number; body: string }> {
    const r = await this.client<{ statuses: Record<string, number>; bodies: unknown[] }>(pod, {
      mode: 'h1',
      url: `http://127.0.0.1:4191${path}`,
      count: 1,
    });
    const status = Number(Object.keys(r.statuses)[0] ?? 0);
    return {
      status,
      body: typeof r.bodies[0] === 'string' ? (r.bodies[0] as string) : JSON.stringify(r.bodies[0] ?? ''),
    };
  }

  async waitReady(pod: Pod, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.admin(pod, '/ready').catch(() => ({ status: 0, body: '' }));
      if (r.status === 200) return;
      if (Date.now() > deadline) throw new Error(`proxy in ${pod.name} not ready: ${pod.proxyLog.join('')}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  async metrics(pod: Pod): Promise<string> {
    const r = await this.client<{ bodies: unknown[] }>(pod, {
      mode: 'h1',
      url: 'http://127.0.0.1:4191/metrics',
      count: 1,
    });
    return String(r.bodies[0] ?? '');
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const keep = process.env['L5D_DATAPLANE_LOG_DIR'];
    if (keep) for (const pod of this.pods.values()) writeFileSync(join(keep, `${pod.name}.log`), pod.proxyLog.join(''));
    for (const p of this.processes) p.kill('SIGKILL');
    // setpriv/node children of `ip netns exec` die with their namespace's processes:
    for (const pod of this.pods.values()) {
      const pids = sh(['ip', 'netns', 'pids', pod.ns], true)
        .split('\n')
        .filter((s) => s.trim() !== '');
      for (const pid of pids) spawnSync('kill', ['-9', pid]);
      sh(['ip', 'netns', 'del', pod.ns], true);
    }
    sh(['ip', 'netns', 'del', this.bridgeNs], true);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
