// Builds the proxy configuration from LINKERD2_PROXY_* variables (spec proxy §1). Every
// invalid variable is reported; the caller exits 64 with "Invalid configuration".
import {
  type Cidr,
  type ControlAddr,
  type SocketAddr,
  parseBool,
  parseControlAddr,
  parseDnsSuffixes,
  parseIdentityName,
  parseIpSet,
  parseNetworks,
  parseNumber,
  parsePortRanges,
  parseSocketAddr,
} from './formats.js';
import { parseProxyDuration } from '../../shared/data-plane-duration.js';

export type DefaultPolicy =
  'deny' | 'all-authenticated' | 'all-unauthenticated' | 'audit' | 'cluster-authenticated' | 'cluster-unauthenticated';

export interface ProxyConfig {
  outboundListen: SocketAddr[];
  inboundListen: SocketAddr;
  adminListen: SocketAddr;
  inboundIps: string[];
  identity: {
    dir: string;
    trustAnchorsPem: string;
    tokenFile: string;
    localName: string;
    control: ControlAddr;
    minRefreshMs: number;
    maxRefreshMs: number;
  };
  destination: {
    control: ControlAddr;
    context: string;
    profileSuffixes: string[];
    profileNetworks: Cidr[];
  };
  policy: { control: ControlAddr; workload: string };
  controlStream: { initialMs?: number; idleMs?: number; lifetimeMs?: number };
  defaultPolicy: DefaultPolicy;
  clusterNetworks: Cidr[];
  inboundOpaquePorts: Array<[number, number]>;
  inboundDetectTimeoutMs: number;
  outboundDetectTimeoutMs: number;
  inboundConnectTimeoutMs: number;
  outboundConnectTimeoutMs: number;
  outboundHttpFailfastMs: number;
  shutdownGraceMs: number;
  maxInFlight: { inbound: number; outbound: number };
  ingressMode: boolean;
  informationalHeaders: boolean;
  inboundAuthorityLabels: boolean;
  shutdownEndpointEnabled: boolean;
  log: { filter: string; format: 'plain' | 'json' };
  accessLog: 'apache' | 'json' | undefined;
  /** l5d extension for tests and local runs: PEM chain used instead of Certify. */
  staticIdentityCertFile: string | undefined;
  /** l5d extension: JSON file of authority → endpoints used instead of the Destination API. */
  staticDiscoveryFile: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === '' ? undefined : v;
  }

  get<T>(name: string, parse: (v: string) => T): T | undefined;
  get<T>(name: string, parse: (v: string) => T, fallback: T): T;
  get<T>(name: string, parse: (v: string) => T, fallback?: T): T | undefined {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    try {
      return parse(v);
    } catch (err) {
      this.problems.push(`${name}=${JSON.stringify(v)} is not valid: ${(err as Error).message}`);
      return fallback;
    }
  }

  required<T>(name: string, parse: (v: string) => T, placeholder: T): T {
    if (this.raw(name) === undefined) {
      this.problems.push(`${name} must be set`);
      return placeholder;
    }
    return this.get(name, parse, placeholder);
  }

  control(prefix: string): ControlAddr {
    const addr = this.raw(`${prefix}_SVC_ADDR`);
    const name = this.raw(`${prefix}_SVC_NAME`);
    const none: ControlAddr = { host: '', port: 0, identity: undefined };
    if (addr === undefined) {
      this.problems.push(`${prefix}_SVC_ADDR must be set`);
      return none;
    }
    try {
      return parseControlAddr(addr, name);
    } catch (err) {
      this.problems.push(`${prefix}_SVC_ADDR=${JSON.stringify(addr)} is not valid: ${(err as Error).message}`);
      return none;
    }
  }
}

const P = 'LINKERD2_PROXY_';
const DEFAULT_POLICIES: DefaultPolicy[] = ['deny', 'all-authenticated', 'all-unauthenticated', 'audit'];

export function loadConfig(env: Env): ProxyConfig {
  const r = new Reader(env);
  if (r.raw(`${P}IDENTITY_DISABLED`) !== undefined) {
    r.problems.push(`${P}IDENTITY_DISABLED is no longer supported; identity is required`);
  }
  const outboundPlural = r.get(`${P}OUTBOUND_LISTEN_ADDRS`, (v) => {
    const addrs = v
      .split(',')
      .filter((s) => s.trim() !== '')
      .map(parseSocketAddr);
    if (addrs.length === 0 || addrs.length > 2) throw new Error('expected one or two addresses');
    return addrs;
  });
  const outboundListen = outboundPlural ?? [
    r.get(`${P}OUTBOUND_LISTEN_ADDR`, parseSocketAddr, { host: '127.0.0.1', port: 4140 }),
  ];
  const localName =
    r.get(`${P}IDENTITY_LOCAL_NAME`, parseIdentityName) ??
    (() => {
      const id = r.get(`${P}IDENTITY_SERVER_ID`, parseIdentityName);
      const sni = r.get(`${P}IDENTITY_SERVER_NAME`, parseIdentityName);
      if (id === undefined || sni === undefined) {
        r.problems.push(`${P}IDENTITY_LOCAL_NAME (or _SERVER_ID and _SERVER_NAME) must be set`);
      } else if (id !== sni) {
        r.problems.push(`${P}IDENTITY_SERVER_ID and ${P}IDENTITY_SERVER_NAME must be equal`);
      }
      return id ?? '';
    })();

  const clusterNetworks = r.get(`${P}POLICY_CLUSTER_NETWORKS`, parseNetworks, []);
  const defaultPolicy = r.get(
    `${P}INBOUND_DEFAULT_POLICY`,
    (v): DefaultPolicy => {
      const allowed =
        clusterNetworks.length > 0
          ? [...DEFAULT_POLICIES, 'cluster-authenticated', 'cluster-unauthenticated']
          : DEFAULT_POLICIES;
      if (!allowed.includes(v)) throw new Error(`expected one of ${allowed.join(', ')}`);
      return v as DefaultPolicy;
    },
    'all-unauthenticated',
  );

  const stream = {
    initialMs: r.get(`${P}CONTROL_STREAM_INITIAL_TIMEOUT`, parseProxyDuration),
    idleMs: r.get(`${P}CONTROL_STREAM_IDLE_TIMEOUT`, parseProxyDuration),
    lifetimeMs: r.get(`${P}CONTROL_STREAM_LIFETIME`, parseProxyDuration),
  };
  const chain = [stream.initialMs, stream.idleMs, stream.lifetimeMs].filter((x): x is number => x !== undefined);
  if (chain.some((v, i) => i > 0 && v < (chain[i - 1] ?? 0))) {
    r.problems.push('control stream limits must satisfy initial <= idle <= lifetime');
  }

  const config: ProxyConfig = {
    outboundListen,
    inboundListen: r.get(`${P}INBOUND_LISTEN_ADDR`, parseSocketAddr, { host: '0.0.0.0', port: 4143 }),
    adminListen: r.get(`${P}ADMIN_LISTEN_ADDR`, parseSocketAddr, { host: '127.0.0.1', port: 4191 }),
    inboundIps: r.get(`${P}INBOUND_IPS`, parseIpSet, []),
    identity: {
      dir: r.required(`${P}IDENTITY_DIR`, (v) => v, ''),
      trustAnchorsPem: r.required(
        `${P}IDENTITY_TRUST_ANCHORS`,
        (v) => {
          if (!/-----BEGIN CERTIFICATE-----/.test(v)) throw new Error('no PEM certificate found');
          return v;
        },
        '',
      ),
      tokenFile: r.required(`${P}IDENTITY_TOKEN_FILE`, (v) => v, ''),
      localName,
      control: r.control(`${P}IDENTITY`),
      minRefreshMs: r.get(`${P}IDENTITY_MIN_REFRESH`, parseProxyDuration, 10_000),
      maxRefreshMs: r.get(`${P}IDENTITY_MAX_REFRESH`, parseProxyDuration, 86_400_000),
    },
    destination: {
      control: r.control(`${P}DESTINATION`),
      context: r.raw(`${P}DESTINATION_CONTEXT`) ?? '',
      profileSuffixes: r.get(`${P}DESTINATION_PROFILE_SUFFIXES`, parseDnsSuffixes, ['svc.cluster.local.']),
      profileNetworks: r.get(`${P}DESTINATION_PROFILE_NETWORKS`, parseNetworks, []),
    },
    policy: {
      control: r.control(`${P}POLICY`),
      workload: r.required(`${P}POLICY_WORKLOAD`, (v) => v, ''),
    },
    controlStream: stream,
    defaultPolicy,
    clusterNetworks,
    inboundOpaquePorts: r.get(`${P}INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION`, parsePortRanges, []),
    inboundDetectTimeoutMs: r.get(`${P}INBOUND_DETECT_TIMEOUT`, parseProxyDuration, 10_000),
    outboundDetectTimeoutMs: r.get(`${P}OUTBOUND_DETECT_TIMEOUT`, parseProxyDuration, 10_000),
    inboundConnectTimeoutMs: r.get(`${P}INBOUND_CONNECT_TIMEOUT`, parseProxyDuration, 300),
    outboundConnectTimeoutMs: r.get(`${P}OUTBOUND_CONNECT_TIMEOUT`, parseProxyDuration, 1000),
    outboundHttpFailfastMs: r.get(`${P}OUTBOUND_HTTP_FAILFAST_TIMEOUT`, parseProxyDuration, 3000),
    shutdownGraceMs: r.get(`${P}SHUTDOWN_GRACE_PERIOD`, parseProxyDuration, 120_000),
    maxInFlight: {
      inbound: r.get(`${P}INBOUND_MAX_IN_FLIGHT`, parseNumber, 100_000),
      outbound: r.get(`${P}OUTBOUND_MAX_IN_FLIGHT`, parseNumber, 100_000),
    },
    ingressMode: r.get(`${P}INGRESS_MODE`, parseBool, false),
    informationalHeaders: true,
    inboundAuthorityLabels: r.get(
      `${P}INBOUND_METRICS_AUTHORITY_LABELS`,
      (v) => {
        if (v.toLowerCase() !== 'unsafe') throw new Error('the only accepted value is "unsafe"');
        return true;
      },
      false,
    ),
    shutdownEndpointEnabled: r.get(`${P}SHUTDOWN_ENDPOINT_ENABLED`, parseBool, false),
    log: {
      filter: r.raw(`${P}LOG`) ?? 'warn,linkerd=info,hickory=error',
      format: r.get(
        `${P}LOG_FORMAT`,
        (v): 'plain' | 'json' => {
          const f = v.toLowerCase();
          if (f !== 'plain' && f !== 'json') throw new Error('expected plain or json');
          return f;
        },
        'plain',
      ),
    },
    accessLog: r.get(`${P}ACCESS_LOG`, (v): 'apache' | 'json' => {
      const f = v.toLowerCase();
      if (f !== 'apache' && f !== 'json') throw new Error('expected apache or json');
      return f;
    }),
    staticIdentityCertFile: r.raw('L5D_PROXY_STATIC_IDENTITY_CERT'),
    staticDiscoveryFile: r.raw('L5D_PROXY_STATIC_DISCOVERY'),
  };
  config.informationalHeaders = !r.get(`${P}OUTBOUND_DISABLE_INFORMATIONAL_HEADERS`, parseBool, config.ingressMode);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
