import type { Values } from '../values/types.js';
import type { KubeObject, RenderContext } from './context.js';
import { COMPONENT_LABEL, createdBy, labels } from './meta.js';

interface ServiceSpec {
  name: string;
  component: string;
  portName: string;
  port: number;
  targetPort: number | string;
  headless?: boolean;
  annotations?: Record<string, string>;
}

function service(s: ServiceSpec, values: Values, ctx: RenderContext): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: ctx.namespace,
      labels: labels(values, ctx, s.component),
      annotations: { ...createdBy(ctx), ...s.annotations },
    },
    spec: {
      ...(s.headless ? { clusterIP: 'None' } : { type: 'ClusterIP' }),
      selector: { [COMPONENT_LABEL]: s.component },
      ports: [{ name: s.portName, port: s.port, targetPort: s.targetPort }],
    },
  };
}

export function identityServices(values: Values, ctx: RenderContext): KubeObject[] {
  const base = { component: 'identity', portName: 'grpc', port: 8080, targetPort: 8080 };
  return [
    service({ ...base, name: 'linkerd-identity' }, values, ctx),
    service({ ...base, name: 'linkerd-identity-headless', headless: true }, values, ctx),
  ];
}

export function destinationServices(values: Values, ctx: RenderContext): KubeObject[] {
  const component = 'destination';
  return [
    service({ name: 'linkerd-dst', component, portName: 'grpc', port: 8086, targetPort: 8086 }, values, ctx),
    service(
      { name: 'linkerd-dst-headless', component, portName: 'grpc', port: 8086, targetPort: 8086, headless: true },
      values,
      ctx,
    ),
    service(
      { name: 'linkerd-sp-validator', component, portName: 'sp-validator', port: 443, targetPort: 'sp-validator' },
      values,
      ctx,
    ),
    service(
      { name: 'linkerd-policy', component, portName: 'grpc', port: 8090, targetPort: 8090, headless: true },
      values,
      ctx,
    ),
    service(
      { name: 'linkerd-policy-validator', component, portName: 'policy-https', port: 443, targetPort: 'policy-https' },
      values,
      ctx,
    ),
  ];
}

export function proxyInjectorService(values: Values, ctx: RenderContext): KubeObject {
  return service(
    {
      name: 'linkerd-proxy-injector',
      component: 'proxy-injector',
      portName: 'proxy-injector',
      port: 443,
      targetPort: 'proxy-injector',
      annotations: { 'config.linkerd.io/opaque-ports': '443' },
    },
    values,
    ctx,
  );
}
