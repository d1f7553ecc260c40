import type { V1Container, V1SecurityContext } from '@kubernetes/client-node';
import type { SidecarContext } from './context.js';
import { copiedMount } from './proxy-container.js';
import { containerResources } from './resources.js';
import { XTABLES_LOCK_VOLUME } from './volumes.js';

export const PROXY_INIT_BINARY = '/usr/lib/linkerd/linkerd2-proxy-init';
export const NETWORK_VALIDATOR_BINARY = '/usr/lib/linkerd/linkerd2-network-validator';
const NOBODY = 65534;

function firewallArgs(mode: string): string[] {
  if (mode === 'nft') return ['--firewall-bin-path', 'iptables-nft', '--firewall-save-bin-path', 'iptables-nft-save'];
  if (mode === 'legacy') return [];
  throw new Error(`Unsupported value "${mode}" for proxyInit.iptablesMode\nValid values: ["nft", "legacy"]`);
}

/** proxy-init's arguments (inject.md §6.5, install.md §3.10), one flag or value per list item. */
export function proxyInitArgs(ctx: SidecarContext): string[] {
  const { proxy, proxyInit } = ctx.values;
  const skipInbound = [proxy.ports.control, proxy.ports.admin, proxyInit.ignoreInboundPorts].filter((p) => p !== '');
  // Control-plane pods talk to the API server before any proxy is up, so its ports always bypass the proxy.
  const skipOutbound = ctx.component ? proxyInit.kubeAPIServerPorts : proxyInit.ignoreOutboundPorts;
  const closeWait = proxyInit.closeWaitTimeoutSecs;
  if (closeWait > 0 && !proxyInit.runAsRoot) {
    throw new Error('proxyInit.runAsRoot must be set to use proxyInit.closeWaitTimeoutSecs');
  }
  return [
    ...firewallArgs(proxyInit.iptablesMode),
    ...(ctx.ipv6 ? [] : ['--ipv6=false']),
    '--incoming-proxy-port',
    String(proxy.ports.inbound),
    '--outgoing-proxy-port',
    String(proxy.ports.outbound),
    '--proxy-uid',
    String(proxy.uid),
    ...(proxy.gid >= 0 ? ['--proxy-gid', String(proxy.gid)] : []),
    '--inbound-ports-to-ignore',
    skipInbound.join(','),
    ...(skipOutbound ? ['--outbound-ports-to-ignore', skipOutbound] : []),
    ...(closeWait > 0 ? ['--timeout-close-wait-secs', String(closeWait)] : []),
    ...(proxyInit.logFormat ? ['--log-format', proxyInit.logFormat] : []),
    ...(proxyInit.logLevel ? ['--log-level', proxyInit.logLevel] : []),
    ...(proxyInit.skipSubnets ? ['--subnets-to-ignore', proxyInit.skipSubnets] : []),
  ];
}

function proxyInitSecurityContext(ctx: SidecarContext): V1SecurityContext {
  const { proxyInit } = ctx.values;
  const elevated = proxyInit.closeWaitTimeoutSecs > 0 || proxyInit.privileged;
  const appCaps = proxyInit.capabilities;
  const drop = (appCaps?.drop ?? []).filter((c) => c !== 'NET_RAW' && c !== 'NET_ADMIN');
  const identity = proxyInit.runAsRoot
    ? { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0 }
    : {
        runAsNonRoot: true,
        runAsUser: proxyInit.runAsUser || NOBODY,
        runAsGroup: proxyInit.runAsGroup || NOBODY,
      };
  return {
    allowPrivilegeEscalation: elevated,
    capabilities: {
      add: ['NET_ADMIN', 'NET_RAW', ...(appCaps?.add ?? [])],
      ...(drop.length > 0 ? { drop } : {}),
    },
    privileged: elevated,
    ...identity,
    readOnlyRootFilesystem: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** `linkerd-init` (inject.md §6.5): the proxy image running proxy-init. */
export function proxyInitContainer(ctx: SidecarContext): V1Container {
  const { proxy, proxyInit } = ctx.values;
  const resources = containerResources(proxy.resources);
  return {
    name: 'linkerd-init',
    image: `${ctx.proxyImage}:${ctx.proxyVersion}`,
    imagePullPolicy: ctx.proxyPullPolicy,
    command: [PROXY_INIT_BINARY],
    args: proxyInitArgs(ctx),
    ...(resources ? { resources } : {}),
    securityContext: proxyInitSecurityContext(ctx),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: [
      {
        mountPath: proxyInit.xtMountPath?.mountPath || '/run',
        name: proxyInit.xtMountPath?.name || XTABLES_LOCK_VOLUME,
      },
      ...copiedMount(proxyInit.saMountPath),
    ],
  };
}

/** `linkerd-network-validator`, which replaces `linkerd-init` when the CNI plugin sets up the rules. */
export function networkValidatorContainer(ctx: SidecarContext): V1Container {
  const { proxy, networkValidator: nv } = ctx.values;
  const connect = nv.connectAddr || (ctx.ipv6 ? '[fd00::1]:20001' : '1.1.1.1:20001');
  const listen = nv.listenAddr || `${ctx.ipv6 ? '[::]' : '0.0.0.0'}:${proxy.ports.outbound}`;
  const resources = containerResources(proxy.resources);
  return {
    name: 'linkerd-network-validator',
    image: `${ctx.proxyImage}:${ctx.proxyVersion}`,
    imagePullPolicy: ctx.proxyPullPolicy,
    command: [NETWORK_VALIDATOR_BINARY],
    args: [
      '--log-format',
      nv.logFormat,
      '--log-level',
      nv.logLevel,
      '--connect-addr',
      connect,
      '--listen-addr',
      listen,
      '--timeout',
      nv.timeout,
    ],
    ...(resources ? { resources } : {}),
    ...(nv.enableSecurityContext === false
      ? {}
      : {
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            readOnlyRootFilesystem: true,
            runAsGroup: NOBODY,
            runAsNonRoot: true,
            runAsUser: NOBODY,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        }),
  };
}
