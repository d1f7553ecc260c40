/** Install-time validation of the proxy-related values, with Linkerd's messages (install.md §6). */
import { isIP } from 'node:net';
import { parseQuantity } from './quantity.js';
import type { ResourcesValues, Values } from './types.js';

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export const DEFAULT_INBOUND_POLICIES = [
  'all-authenticated',
  'all-unauthenticated',
  'cluster-authenticated',
  'cluster-unauthenticated',
  'deny',
  'audit',
] as const;
const PROXY_LOG_LEVELS = '(trace|debug|warn|info|error)';
const LOG_DIRECTIVE = new RegExp(`^(${PROXY_LOG_LEVELS}|(\\w|::)+|(\\w|::)+=${PROXY_LOG_LEVELS})$`, 'i');

export function validateProxyLogLevel(level: string): void {
  if (level === '') throw new Error('--proxy-log-level must not be empty');
  if (!level.split(',').every((d) => LOG_DIRECTIVE.test(d))) {
    throw new Error(
      `"${level}" is not a valid proxy log level - for allowed syntax check https://docs.rs/env_logger/0.6.0/env_logger/#enabling-logging`,
    );
  }
}

function parsePort(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

/** One `N` or `A-B` entry of a skip-ports list. */
export function validatePortRange(entry: string): void {
  const bounds = entry.split('-');
  if (bounds.length > 2) throw new Error('ranges expected as <lower>-<upper>');
  if (bounds.length === 1) {
    if (parsePort(entry) === undefined) throw new Error(`"${entry}" is not a valid port nor port-range`);
    return;
  }
  const lower = parsePort(bounds[0] ?? '');
  if (lower === undefined) throw new Error(`"${bounds[0]}" is not a valid lower-bound`);
  const upper = parsePort(bounds[1] ?? '');
  if (upper === undefined) throw new Error(`"${bounds[1]}" is not a valid upper-bound`);
  if (upper < lower) throw new Error(`"${entry}": upper-bound must be greater than or equal to lower-bound`);
}

export function validatePortList(list: string): void {
  for (const entry of list.split(',')) if (entry.trim() !== '') validatePortRange(entry.trim());
}

function isCidr(text: string): boolean {
  const [ip, bits, ...rest] = text.split('/');
  if (rest.length > 0 || ip === undefined || bits === undefined || !/^\d+$/.test(bits)) return false;
  const family = isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

export function validateClusterNetworks(networks: string): void {
  for (const n of networks.split(',')) {
    if (!isCidr(n)) throw new Error(`cannot parse destination get networks: invalid CIDR address: ${n}`);
  }
}

function validateResources(resources: ResourcesValues): void {
  for (const dim of ['cpu', 'memory'] as const) {
    const q = resources[dim];
    const request = q?.request ? String(q.request) : '';
    const limit = q?.limit ? String(q.limit) : '';
    const r = request ? parseQuantity(request) : undefined;
    const l = limit ? parseQuantity(limit) : undefined;
    if (request && r === undefined) {
      throw new Error(`Invalid ${dim} request '${request}' for --proxy-${dim}-request flag`);
    }
    if (limit && l === undefined) throw new Error(`Invalid ${dim} limit '${limit}' for --proxy-${dim}-limit flag`);
    if (r !== undefined && l !== undefined && l < r) {
      throw new Error(`The ${dim} limit '${limit}' cannot be lower than the ${dim} request '${request}'`);
    }
  }
}

const VERSION = /^[.a-zA-Z0-9-]+$/;

/** Throws the first failing check among the proxy-related install validations. */
export function validateProxyValues(values: Values): void {
  validateClusterNetworks(values.clusterNetworks);
  for (const v of [values.linkerdVersion, values.proxy.image.version]) {
    if (v && !VERSION.test(v)) throw new Error(`${v} is not a valid version`);
  }
  validateProxyLogLevel(values.proxy.logLevel);
  validatePortList(values.proxyInit.ignoreInboundPorts);
  validatePortList(values.proxyInit.ignoreOutboundPorts);
  if (!(PULL_POLICIES as readonly string[]).includes(values.imagePullPolicy)) {
    throw new Error('--image-pull-policy must be one of: Always, IfNotPresent, Never');
  }
  validateResources(values.proxy.resources);
  const policy = values.proxy.defaultInboundPolicy;
  if (!(DEFAULT_INBOUND_POLICIES as readonly string[]).includes(policy)) {
    throw new Error(`--default-inbound-policy must be one of: ${DEFAULT_INBOUND_POLICIES.join(', ')} (got ${policy})`);
  }
}
