import type { V1Container, V1PodSpec, V1Probe } from '@kubernetes/client-node';

function probePort(probe: V1Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  return typeof port === 'number' ? port : undefined;
}

function containerPorts(c: V1Container): number[] {
  const ports = (c.ports ?? []).map((p) => p.containerPort);
  const probes = [probePort(c.readinessProbe), probePort(c.livenessProbe)].filter((p) => p !== undefined);
  return [...ports, ...probes];
}

/**
 * LINKERD2_PROXY_INBOUND_PORTS (inject.md §6.9): every container port of the init and app containers
 * plus integer httpGet ports of readiness/liveness probes, de-duplicated and sorted as strings.
 */
export function podInboundPorts(podSpec: V1PodSpec): string {
  const all = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])].flatMap(containerPorts);
  return [...new Set(all.map(String))].sort().join(',');
}
