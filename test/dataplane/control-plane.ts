// The real control plane for the network-namespace mesh: a kube-apiserver test bed describing the
// pods (Pods, ServiceAccounts, Services, EndpointSlices) and the l5d identity and destination
// controllers reading it. The controllers listen on the host's loopback; pods reach them through
// Unix-socket bridges on their own loopback, as a proxy inside a control-plane pod would.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IdentityClient,
  type IdentityCertificate,
  type IdentityKeyMaterial,
  generateKeyAndCsr,
} from '../../src/runtime/clients/identity-client.js';
import { GrpcChannel } from '../../src/runtime/clients/grpc-channel.js';
import { freePort, startController, waitReady, type RunningController } from '../support/controllers.js';
import { createTestPki } from '../support/identity-pki.js';
import { endpointSliceObject, workloadPod, runningPodPatchArgs } from '../support/mesh-objects.js';
import { kubectl, startTestbed, type Testbed } from '../support/testbed.js';
import type { Mesh, Pod } from './netns-mesh.js';

export const NS = 'l5dtest';
export const idOf = (sa: string): string => `${sa}.${NS}.serviceaccount.identity.linkerd.cluster.local`;
/** Where the bridges listen on every pod's loopback. */
const POD_PORTS = { identity: 18080, destination: 18086 } as const;
type Controller = keyof typeof POD_PORTS;

/** The Pod object of a namespace "pod": the app's three ports and an injected proxy. */
function podObject(name: string, sa: string, app: string, opaquePorts: string): Record<string, unknown> {
  return workloadPod({
    name,
    namespace: NS,
    serviceAccount: sa,
    app,
    deployment: app,
    annotations: { 'config.linkerd.io/opaque-ports': opaquePorts },
    containers: [
      {
        name: 'app',
        image: 'app:v1',
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'grpc', containerPort: 8081 },
          { name: 'echo', containerPort: 9000 },
        ],
      },
    ],
  });
}

/** An EndpointSlice of `service` listing `pods` as ready endpoints, as the endpoint controller writes it. */
export function endpointSlice(
  service: string,
  ports: Array<{ name: string; port: number }>,
  pods: Pod[],
): Record<string, unknown> {
  return endpointSliceObject(
    NS,
    service,
    ports,
    pods.map((p) => ({ ip: p.ip, pod: p.name })),
  );
}

/** The ports of a Service in front of the test app (fixtures/app.mjs). */
export const SERVICE_PORTS = [
  { name: 'http', port: 80, targetPort: 'http' },
  { name: 'grpc', port: 81, targetPort: 'grpc' },
  { name: 'echo', port: 9000, targetPort: 'echo' },
];

/** A Service selecting `app` in the test namespace; `opaquePorts` becomes its annotation. */
export function serviceObject(
  name: string,
  app: string,
  ports: Array<{ name: string; port: number; targetPort: string }>,
  opaquePorts?: string,
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: NS,
      ...(opaquePorts === undefined ? {} : { annotations: { 'config.linkerd.io/opaque-ports': opaquePorts } }),
    },
    spec: { selector: { app }, ports },
  };
}

export class ControlPlane {
  private readonly controllers: RunningController[] = [];
  private identityAddr = '';
  anchorPem = '';

  private constructor(
    readonly tb: Testbed,
    private readonly mesh: Mesh,
  ) {}

  static async start(mesh: Mesh): Promise<ControlPlane> {
    const cp = new ControlPlane(await startTestbed(), mesh);
    try {
      await cp.startControllers();
    } catch (err) {
      await cp.stop();
      throw err;
    }
    return cp;
  }

  kubectl(args: string[], stdin?: string) {
    return kubectl(
      args,
      stdin === undefined ? { kubeconfig: this.tb.adminKubeconfig } : { kubeconfig: this.tb.adminKubeconfig, stdin },
    );
  }

  apply(obj: unknown) {
    return this.kubectl(['apply', '-f', '-'], JSON.stringify(obj));
  }

  private async startControllers(): Promise<void> {
    await this.kubectl(['create', 'namespace', NS]);
    await this.kubectl(['create', 'namespace', 'linkerd']);
    const pki = await createTestPki();
    this.anchorPem = pki.anchorPem;
    const issuerDir = join(this.mesh.dir, 'issuer');
    mkdirSync(issuerDir);
    writeFileSync(join(issuerDir, 'crt.pem'), pki.issuerCertPem);
    writeFileSync(join(issuerDir, 'key.pem'), pki.issuerKeyPem);
    writeFileSync(join(this.mesh.dir, 'ca-bundle.crt'), pki.anchorPem);
    const [identityGrpc, identityAdmin, dstGrpc, dstAdmin] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    this.identityAddr = `127.0.0.1:${identityGrpc}`;
    const identity = startController('identity', [
      `-kubeconfig=${this.tb.adminKubeconfig}`,
      '-controller-namespace=linkerd',
      '-identity-scheme=linkerd.io/tls',
      '-identity-trust-domain=cluster.local',
      '-identity-issuance-lifetime=24h0m0s',
      '-identity-clock-skew-allowance=20s',
      `-issuer=${issuerDir}`,
      `-trust-anchors=${join(this.mesh.dir, 'ca-bundle.crt')}`,
      `-addr=${this.identityAddr}`,
      `-admin-addr=127.0.0.1:${identityAdmin}`,
    ]);
    this.controllers.push(identity);
    const destination = startController('destination', [
      `-kubeconfig=${this.tb.adminKubeconfig}`,
      '-controller-namespace=linkerd',
      '-identity-trust-domain=cluster.local',
      '-cluster-domain=cluster.local',
      '-enable-ipv6=false',
      '-outbound-transport-mode=transport-header',
      `-addr=127.0.0.1:${dstGrpc}`,
      `-metrics-addr=127.0.0.1:${dstAdmin}`,
    ]);
    this.controllers.push(destination);
    await Promise.all([waitReady(identity, identityAdmin), waitReady(destination, dstAdmin)]);
    await this.mesh.helper(undefined, 'uds-bridge.mjs', [
      'listen-uds',
      this.socket('identity'),
      '127.0.0.1',
      String(identityGrpc),
    ]);
    await this.mesh.helper(undefined, 'uds-bridge.mjs', [
      'listen-uds',
      this.socket('destination'),
      '127.0.0.1',
      String(dstGrpc),
    ]);
  }

  private socket(c: Controller): string {
    return join(this.mesh.dir, `${c}.sock`);
  }

  /** Makes a controller reachable on `pod`'s loopback (localhost.:18080 / :18086). */
  bridge(pod: Pod, c: Controller): Promise<void> {
    return this.mesh.helper(pod, 'uds-bridge.mjs', ['listen-tcp', '127.0.0.1', String(POD_PORTS[c]), this.socket(c)]);
  }

  /** Bridges both controllers into `pod` and installs its proxy-init rules. */
  async joinMesh(pod: Pod): Promise<void> {
    await this.bridge(pod, 'identity');
    await this.bridge(pod, 'destination');
    this.mesh.proxyInit(pod);
  }

  /** The ClusterIP the API server gave `service`. */
  async clusterIp(service: string): Promise<string> {
    return (
      await this.kubectl(['get', 'service', service, '-n', NS, '-o', 'jsonpath={.spec.clusterIP}'])
    ).stdout.trim();
  }

  async createServiceAccount(sa: string): Promise<void> {
    await this.kubectl(['create', 'serviceaccount', sa, '-n', NS]);
  }

  /** Creates the Pod object for a namespace "pod" and reports it Running at its IP. */
  async createPod(pod: Pod, sa: string, app: string, opaquePorts: string): Promise<void> {
    await this.apply(podObject(pod.name, sa, app, opaquePorts));
    await this.kubectl(runningPodPatchArgs(pod.name, NS, pod.ip));
  }

  /** A projected-style ServiceAccount token for the identity audience (TokenRequest). */
  async token(sa: string): Promise<string> {
    return (await this.kubectl(['create', 'token', sa, '-n', NS, '--audience', 'identity.l5d.io'])).stdout.trim();
  }

  /** A certificate issued by the identity controller to `sa`'s token (as a proxy would get it). */
  async certify(sa: string, key?: IdentityKeyMaterial): Promise<IdentityCertificate & { key: IdentityKeyMaterial }> {
    const material = key ?? (await generateKeyAndCsr(idOf(sa)));
    const tokenFile = join(this.mesh.dir, `${sa}.token`);
    writeFileSync(tokenFile, await this.token(sa));
    const channel = new GrpcChannel({ address: this.identityAddr });
    const client = new IdentityClient({
      channel,
      identity: idOf(sa),
      tokenFile,
      key: material,
      trustAnchorsPem: this.anchorPem,
    });
    try {
      return { ...(await client.certify()), key: material };
    } finally {
      channel.close();
    }
  }

  /** Starts `pod`'s proxy in certify mode against the controllers (bridges must be up); the proxy
   * makes its own key and CSR, as in a pod. */
  async startProxy(pod: Pod, sa: string, env: Record<string, string> = {}): Promise<void> {
    this.mesh.startProxy(pod, {
      identity: idOf(sa),
      token: await this.token(sa),
      trustAnchorsPem: this.anchorPem,
      env: { ...this.proxyEnv(pod), ...env },
    });
  }

  /** The environment the injector would give `pod`'s proxy, pointed at the bridges. */
  proxyEnv(pod: Pod): Record<string, string> {
    return {
      LINKERD2_PROXY_IDENTITY_SVC_ADDR: `localhost.:${POD_PORTS.identity}`,
      LINKERD2_PROXY_DESTINATION_SVC_ADDR: `localhost.:${POD_PORTS.destination}`,
      LINKERD2_PROXY_DESTINATION_CONTEXT: JSON.stringify({ ns: NS, nodeName: 'node-a', pod: pod.name }),
      LINKERD2_PROXY_DESTINATION_PROFILE_NETWORKS: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
      LINKERD2_PROXY_LOG: process.env['L5D_DATAPLANE_PROXY_LOG'] ?? 'warn,linkerd=info',
    };
  }

  async stop(): Promise<void> {
    for (const c of this.controllers) await c.stop();
    await this.tb.stop();
  }
}
