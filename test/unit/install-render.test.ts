import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { haValues } from '../../src/manifests/values/defaults.js';
import { deepMerge } from '../../src/manifests/values/merge.js';
import type { KubeObject } from '../../src/manifests/install/context.js';
import { heartbeatSchedule } from '../../src/manifests/install/heartbeat.js';
import { ids, NOW, render, validateWithModel, valuesWithFixtureCerts } from './install-support.js';

const DEFAULT_ORDER = [
  'Namespace/linkerd',
  'ClusterRole/linkerd-linkerd-identity',
  'ClusterRoleBinding/linkerd-linkerd-identity',
  'ServiceAccount/linkerd-identity',
  'ClusterRole/linkerd-linkerd-destination',
  'ClusterRoleBinding/linkerd-linkerd-destination',
  'ServiceAccount/linkerd-destination',
  'Secret/linkerd-sp-validator-k8s-tls',
  'ValidatingWebhookConfiguration/linkerd-sp-validator-webhook-config',
  'Secret/linkerd-policy-validator-k8s-tls',
  'ValidatingWebhookConfiguration/linkerd-policy-validator-webhook-config',
  'ClusterRole/linkerd-policy',
  'ClusterRoleBinding/linkerd-destination-policy',
  'Role/remote-discovery',
  'RoleBinding/linkerd-destination-remote-discovery',
  'Role/linkerd-heartbeat',
  'RoleBinding/linkerd-heartbeat',
  'ClusterRole/linkerd-heartbeat',
  'ClusterRoleBinding/linkerd-heartbeat',
  'ServiceAccount/linkerd-heartbeat',
  'ClusterRole/linkerd-linkerd-proxy-injector',
  'ClusterRoleBinding/linkerd-linkerd-proxy-injector',
  'ServiceAccount/linkerd-proxy-injector',
  'Secret/linkerd-proxy-injector-k8s-tls',
  'MutatingWebhookConfiguration/linkerd-proxy-injector-webhook-config',
  'ConfigMap/linkerd-config',
  'Role/ext-namespace-metadata-linkerd-config',
  'Secret/linkerd-identity-issuer',
  'ConfigMap/linkerd-identity-trust-roots',
  'Service/linkerd-identity',
  'Service/linkerd-identity-headless',
  'Deployment/linkerd-identity',
  'Service/linkerd-dst',
  'Service/linkerd-dst-headless',
  'Service/linkerd-sp-validator',
  'Service/linkerd-policy',
  'Service/linkerd-policy-validator',
  'Deployment/linkerd-destination',
  'CronJob/linkerd-heartbeat',
  'Deployment/linkerd-proxy-injector',
  'Service/linkerd-proxy-injector',
  'Secret/linkerd-config-overrides',
];

const find = (objects: KubeObject[], kind: string, name: string): KubeObject => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o, `${kind}/${name} missing`);
  return o;
};

test('default install: objects in the order of install.md §3.3, all schema-valid', async () => {
  const objects = await render(valuesWithFixtureCerts());
  assert.deepEqual(ids(objects), DEFAULT_ORDER);
  for (const o of objects) validateWithModel(o);
  const ns = find(objects, 'Namespace', 'linkerd');
  assert.equal((ns.metadata.labels as Record<string, string>)['pod-security.kubernetes.io/enforce'], 'privileged');
});

test('HA adds the three PDBs, anti-affinity and Fail webhooks', async () => {
  const values = deepMerge(valuesWithFixtureCerts(), haValues());
  const objects = await render(values);
  const order = ids(objects);
  assert.equal(order.indexOf('PodDisruptionBudget/linkerd-identity'), order.indexOf('Deployment/linkerd-identity') - 1);
  assert.equal(order.indexOf('PodDisruptionBudget/linkerd-dst'), order.indexOf('Deployment/linkerd-destination') - 1);
  assert.equal(order.at(-2), 'PodDisruptionBudget/linkerd-proxy-injector');
  for (const o of objects) validateWithModel(o);
  const dst = find(objects, 'Deployment', 'linkerd-destination') as { spec?: Record<string, never> } & KubeObject;
  const spec = dst.spec as unknown as {
    replicas: number;
    template: { spec: { affinity: unknown; containers: { name: string; resources?: unknown }[] } };
  };
  assert.equal(spec.replicas, 3);
  assert.ok(spec.template.spec.affinity);
  const sp = spec.template.spec.containers.find((c) => c.name === 'sp-validator');
  assert.deepEqual(sp?.resources, { limits: { memory: '250Mi' }, requests: { cpu: '100m', memory: '50Mi' } });
  const hook = find(objects, 'MutatingWebhookConfiguration', 'linkerd-proxy-injector-webhook-config');
  assert.equal((hook.webhooks as { failurePolicy: string }[])[0]?.failurePolicy, 'Fail');
});

test('disableHeartBeat drops the heartbeat RBAC and CronJob; cniEnabled swaps linkerd-init', async () => {
  const values = { ...valuesWithFixtureCerts(), disableHeartBeat: true, cniEnabled: true };
  const objects = await render(values);
  const order = ids(objects);
  assert.deepEqual(
    order,
    DEFAULT_ORDER.filter((id) => !id.includes('heartbeat')),
  );
  const ns = find(objects, 'Namespace', 'linkerd');
  assert.equal((ns.metadata.labels as Record<string, string>)['pod-security.kubernetes.io/enforce'], 'restricted');
  const dst = find(objects, 'Deployment', 'linkerd-destination');
  const init = (dst.spec as { template: { spec: { initContainers: { name: string }[] } } }).template.spec
    .initContainers;
  assert.deepEqual(
    init.map((c) => c.name),
    ['linkerd-network-validator', 'linkerd-proxy'],
  );
});

test('RBAC rules follow install.md §3.5', async () => {
  const objects = await render({ ...valuesWithFixtureCerts(), enableEndpointSlices: false });
  const rules = (kind: string, name: string) =>
    find(objects, kind, name).rules as { resources: string[]; verbs: string[] }[];
  assert.deepEqual(rules('ClusterRole', 'linkerd-linkerd-identity'), [
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ]);
  assert.ok(!rules('ClusterRole', 'linkerd-linkerd-destination').some((r) => r.resources.includes('endpointslices')));
  assert.deepEqual(rules('Role', 'remote-discovery'), [
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] },
  ]);
  assert.deepEqual(rules('Role', 'linkerd-heartbeat'), [
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['linkerd-config'] },
  ]);
  const injector = rules('ClusterRole', 'linkerd-linkerd-proxy-injector');
  assert.deepEqual(injector.at(-1), {
    apiGroups: ['extensions', 'batch'],
    resources: ['cronjobs', 'jobs'],
    verbs: ['list', 'get', 'watch'],
  });
  const policy = find(objects, 'ClusterRole', 'linkerd-policy');
  assert.equal((policy.metadata.labels as Record<string, string>)['app.kubernetes.io/part-of'], 'Linkerd');
});

test('webhook configurations: selectors, CA bundles from the generated serving certs', async () => {
  const objects = await render(valuesWithFixtureCerts());
  const injector = find(objects, 'MutatingWebhookConfiguration', 'linkerd-proxy-injector-webhook-config');
  const hook = (injector.webhooks as Record<string, unknown>[])[0] as {
    objectSelector: unknown;
    clientConfig: { caBundle: string; service: unknown };
    timeoutSeconds: number;
    failurePolicy: string;
  };
  assert.deepEqual(hook.objectSelector, {
    matchExpressions: [
      { key: 'linkerd.io/control-plane-component', operator: 'DoesNotExist' },
      { key: 'linkerd.io/cni-resource', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(hook.timeoutSeconds, 10);
  assert.equal(hook.failurePolicy, 'Ignore');
  const secret = find(objects, 'Secret', 'linkerd-proxy-injector-k8s-tls');
  assert.equal(hook.clientConfig.caBundle, (secret.data as Record<string, string>)['tls.crt']);
  const crt = Buffer.from(hook.clientConfig.caBundle, 'base64').toString();
  assert.match(crt, /^-----BEGIN CERTIFICATE-----/);
  const policy = find(objects, 'ValidatingWebhookConfiguration', 'linkerd-policy-validator-webhook-config');
  const rules = (policy.webhooks as { rules: { apiGroups: string[] }[] }[])[0]?.rules;
  assert.deepEqual(
    rules?.map((r) => r.apiGroups),
    [['policy.linkerd.io'], ['gateway.networking.k8s.io']],
  );
});

test('webhook CA settings are validated with the chart messages', async () => {
  const base = valuesWithFixtureCerts();
  await assert.rejects(render({ ...base, proxyInjector: { ...base.proxyInjector, externalSecret: true } }), {
    message: 'if externalSecret is set, then caBundle, injectCaFrom, or injectCaFromSecret must be set',
  });
  await assert.rejects(render({ ...base, profileValidator: { ...base.profileValidator, injectCaFrom: 'a/b' } }), {
    message: 'if injectCaFrom or injectCaFromSecret is set, then externalSecret must be set',
  });
  const external = await render({
    ...base,
    policyValidator: { ...base.policyValidator, externalSecret: true, injectCaFromSecret: 'linkerd/ca' },
  });
  assert.ok(!ids(external).includes('Secret/linkerd-policy-validator-k8s-tls'));
  const cfg = find(external, 'ValidatingWebhookConfiguration', 'linkerd-policy-validator-webhook-config');
  assert.deepEqual(cfg.metadata.annotations, { 'cert-manager.io/inject-ca-from-secret': 'linkerd/ca' });
});

test('services of install.md §3.7', async () => {
  const objects = await render(valuesWithFixtureCerts());
  const spec = (name: string) => find(objects, 'Service', name).spec as Record<string, unknown>;
  assert.equal(spec('linkerd-policy').clusterIP, 'None');
  assert.deepEqual(spec('linkerd-sp-validator').ports, [
    { name: 'sp-validator', port: 443, targetPort: 'sp-validator' },
  ]);
  assert.deepEqual(spec('linkerd-policy-validator').ports, [
    { name: 'policy-https', port: 443, targetPort: 'policy-https' },
  ]);
  const injector = find(objects, 'Service', 'linkerd-proxy-injector');
  assert.equal((injector.metadata.annotations as Record<string, string>)['config.linkerd.io/opaque-ports'], '443');
});

test('linkerd-config values: sorted, trust domain filled, no private keys anywhere', async () => {
  const objects = await render(valuesWithFixtureCerts());
  const cm = find(objects, 'ConfigMap', 'linkerd-config');
  const text = (cm.data as Record<string, string>).values ?? '';
  assert.doesNotMatch(text, /PRIVATE KEY/);
  const values = parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(values), [...Object.keys(values)].sort());
  assert.equal(values.identityTrustDomain, 'cluster.local');
  assert.equal((cm.data as Record<string, string>)['linkerd-crds-chart-version'], 'linkerd-crds-1.0.0-edge');
  assert.match(
    String((values.identity as { issuer: { tls: { crtPEM: string } } }).issuer.tls.crtPEM),
    /BEGIN CERTIFICATE/,
  );
});

test('overrides Secret holds only the differences from the defaults, key included', async () => {
  const objects = await render({ ...valuesWithFixtureCerts(), controllerLogLevel: 'debug' });
  const secret = objects.at(-1) as KubeObject;
  assert.deepEqual(Object.keys(secret), ['apiVersion', 'data', 'kind', 'metadata']);
  const diff = parse(
    Buffer.from((secret.data as Record<string, string>)['linkerd-config-overrides'] ?? '', 'base64').toString(),
  );
  assert.deepEqual(Object.keys(diff).sort(), ['controllerLogLevel', 'identity', 'identityTrustAnchorsPEM']);
  assert.equal(diff.controllerLogLevel, 'debug');
  assert.match(diff.identity.issuer.tls.keyPEM, /EC PRIVATE KEY/);
});

test('deployments: controller args, probes with timeoutSeconds, policy command', async () => {
  const objects = await render(valuesWithFixtureCerts());
  type Pod = {
    containers: { name: string; args: string[]; command?: string[]; readinessProbe?: { timeoutSeconds?: number } }[];
  };
  const pod = (name: string) => (find(objects, 'Deployment', name).spec as { template: { spec: Pod } }).template.spec;
  const identity = pod('linkerd-identity');
  assert.deepEqual(
    identity.containers.map((c) => c.name),
    ['identity', 'linkerd-proxy'],
  );
  assert.deepEqual(identity.containers[0]?.args, [
    'identity',
    '-log-level=info',
    '-log-format=plain',
    '-controller-namespace=linkerd',
    '-identity-trust-domain=cluster.local',
    '-identity-issuance-lifetime=24h0m0s',
    '-identity-clock-skew-allowance=20s',
    '-identity-scheme=linkerd.io/tls',
    '-enable-pprof=false',
    '-kube-apiclient-qps=100',
    '-kube-apiclient-burst=200',
  ]);
  const dst = pod('linkerd-destination');
  assert.deepEqual(
    dst.containers.map((c) => c.name),
    ['destination', 'sp-validator', 'policy'],
  );
  assert.deepEqual(dst.containers[2]?.command, ['/linkerd-policy-controller']);
  for (const c of dst.containers) assert.equal(c.readinessProbe?.timeoutSeconds, 1);
  const injector = find(objects, 'Deployment', 'linkerd-proxy-injector');
  assert.deepEqual((injector.spec as { selector: unknown }).selector, {
    matchLabels: { 'linkerd.io/control-plane-component': 'proxy-injector' },
  });
});

test('heartbeat schedule: ten minutes after render time (UTC) unless set', () => {
  const values = valuesWithFixtureCerts();
  assert.equal(heartbeatSchedule(values, NOW), '18 07 * * *');
  assert.equal(heartbeatSchedule(values, new Date('2026-01-01T23:55:00Z')), '05 00 * * *');
  assert.equal(heartbeatSchedule({ ...values, heartbeatSchedule: '1 2 3 4 5' }, NOW), '1 2 3 4 5');
});

test('commonLabels reach every chart object', async () => {
  const objects = await render({ ...valuesWithFixtureCerts(), commonLabels: { team: 'mesh' } });
  for (const o of objects.slice(0, -1)) {
    assert.equal(
      (o.metadata.labels as Record<string, string> | undefined)?.team,
      'mesh',
      `${o.kind}/${o.metadata.name}`,
    );
  }
});

test('no control-plane pod automounts its token: each mounts the projected kube-api-access volume', async () => {
  const objects = await render(valuesWithFixtureCerts());
  interface PodSpec {
    automountServiceAccountToken?: boolean;
    volumes?: { name: string; projected?: { sources: Record<string, unknown>[] } }[];
    containers: { name: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[];
  }
  const podSpecs = objects.flatMap((o): [string, PodSpec][] => {
    const spec = o.spec as { template?: { spec: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } };
    const pod = spec?.template?.spec ?? spec?.jobTemplate?.spec.template.spec;
    return pod ? [[`${o.kind}/${o.metadata.name}`, pod]] : [];
  });
  assert.ok(podSpecs.some(([id]) => id === 'CronJob/linkerd-heartbeat'));
  for (const [id, pod] of podSpecs) {
    assert.equal(pod.automountServiceAccountToken, false, id);
    const volume = pod.volumes?.find((v) => v.name === 'kube-api-access');
    assert.ok(
      volume?.projected?.sources.some((s) => 'serviceAccountToken' in s),
      `${id}: no projected token`,
    );
    const controller = pod.containers.find((c) => !c.name.startsWith('linkerd-proxy'));
    assert.deepEqual(
      controller?.volumeMounts?.find((m) => m.name === 'kube-api-access'),
      { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
      id,
    );
  }
});
