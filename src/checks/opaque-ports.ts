import type { V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { Pod } from './pods.js';

const OPAQUE_PORTS = 'config.linkerd.io/opaque-ports';

function parsePorts(value: string | undefined, owner: string): Set<number> {
  const ports = new Set<number>();
  for (const part of (value ?? '').split(',').map((p) => p.trim())) {
    if (part === '') continue;
    if (!/^\d+$/.test(part)) throw new Error(`failed to convert ${part} to port number for pod ${owner}`);
    ports.add(Number(part));
  }
  return ports;
}

/** A Service port's target on one pod: a number, or a named container port looked up on the pod. */
function resolveTarget(target: number | string | undefined, fallback: number, pod: Pod): number | undefined {
  if (target === undefined) return fallback;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    const port = c.ports?.find((p) => p.name === target);
    if (port) return port.containerPort;
  }
  return undefined;
}

/**
 * Services and the pods behind them must agree on `config.linkerd.io/opaque-ports`
 * (check.md §3.15); returns upstream's problem messages.
 */
export function opaquePortProblems(service: V1Service, endpoints: V1Endpoints, podsByName: Map<string, Pod>): string[] {
  const svc = service.metadata?.name ?? '';
  const svcOpaque = parsePorts(service.metadata?.annotations?.[OPAQUE_PORTS], svc);
  const problems: string[] = [];
  const targets = (endpoints.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]);
  for (const address of targets) {
    if (address.targetRef?.kind !== 'Pod') continue;
    const pod = podsByName.get(address.targetRef.name ?? '');
    if (pod === undefined) continue;
    const podName = pod.metadata?.name ?? '';
    const podOpaque = parsePorts(pod.metadata?.annotations?.[OPAQUE_PORTS], podName);
    for (const sp of service.spec?.ports ?? []) {
      const target = resolveTarget(sp.targetPort as number | string | undefined, sp.port, pod);
      if (target === undefined) continue;
      const shown = typeof sp.targetPort === 'string' && !/^\d+$/.test(sp.targetPort) ? sp.targetPort : String(target);
      if (svcOpaque.has(sp.port) && !podOpaque.has(target)) {
        problems.push(
          `service ${svc} expects target port ${shown} to be opaque; add it to pod ${podName} ${OPAQUE_PORTS} annotation`,
        );
      } else if (!svcOpaque.has(sp.port) && podOpaque.has(target)) {
        problems.push(
          sp.port === target
            ? `service ${svc} targets the opaque port ${shown}; add it to its ${OPAQUE_PORTS} annotation`
            : `service ${svc} targets the opaque port ${shown} through ${sp.port}; add ${sp.port} to its ${OPAQUE_PORTS} annotation`,
        );
      }
    }
  }
  return problems;
}
