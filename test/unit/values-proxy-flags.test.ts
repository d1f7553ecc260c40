import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyProxyFlags, withRegistry } from '../../src/manifests/values/apply-proxy-flags.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import { deepMerge } from '../../src/manifests/values/merge.js';
import { proxyFlagValues } from '../../src/manifests/values/proxy-flags.js';
import { validateProxyValues } from '../../src/manifests/values/proxy-validation.js';
import { parseQuantity, wholeCores } from '../../src/manifests/values/quantity.js';

test('unset flags leave the values untouched and the input is not mutated', () => {
  const base = defaultValues('v1');
  assert.deepEqual(applyProxyFlags(base, {}), base);
  applyProxyFlags(base, { proxyUid: 1 });
  assert.equal(base.proxy.uid, 2102);
});

test('ports, uid/gid, log level, skip lists and external profiles', () => {
  const v = applyProxyFlags(defaultValues(), {
    inboundPort: 1,
    outboundPort: 2,
    controlPort: 3,
    adminPort: 4,
    proxyUid: 10,
    proxyGid: 20,
    proxyLogLevel: 'debug,linkerd=trace',
    skipInboundPorts: ['22', '8100-8102'],
    skipOutboundPorts: ['5432'],
    enableExternalProfiles: true,
    defaultInboundPolicy: 'all-authenticated',
  });
  assert.deepEqual(v.proxy.ports, { inbound: 1, outbound: 2, control: 3, admin: 4 });
  assert.equal(v.proxy.uid, 10);
  assert.equal(v.proxy.gid, 20);
  assert.equal(v.proxy.logLevel, 'debug,linkerd=trace');
  assert.equal(v.proxyInit.ignoreInboundPorts, '22,8100-8102');
  assert.equal(v.proxyInit.ignoreOutboundPorts, '5432');
  assert.equal(v.proxy.enableExternalProfiles, true);
  assert.equal(v.proxy.defaultInboundPolicy, 'all-authenticated');
});

test('cpu request/limit set resources and round workers up to whole cores', () => {
  const v = applyProxyFlags(defaultValues(), {
    proxyCpuRequest: '500m',
    proxyCpuLimit: '1.5',
    proxyMemoryRequest: '100Mi',
    proxyMemoryLimit: '150Mi',
  });
  assert.deepEqual(v.proxy.resources.cpu, { limit: '1.5', request: '500m' });
  assert.deepEqual(v.proxy.resources.memory, { limit: '150Mi', request: '100Mi' });
  assert.equal(v.proxy.runtime.workers.minimum, 1);
  assert.equal(v.proxy.runtime.workers.maximum, 2);
  const deprecated = applyProxyFlags(defaultValues(), { proxyCpu: '3', proxyMemory: '64Mi' });
  assert.equal(deprecated.proxy.resources.cpu?.request, '3');
  assert.equal(deprecated.proxy.runtime.workers.minimum, 1, '--proxy-cpu does not set the worker minimum');
});

test('--registry rewrites proxy, debug and controller images; pull policy sets all three', () => {
  const v = applyProxyFlags(defaultValues(), {
    proxyImage: 'example.com/team/my-proxy',
    registry: 'my.custom.registry/linkerd-io/',
    imagePullPolicy: 'Always',
  });
  assert.equal(v.proxy.image.name, 'my.custom.registry/linkerd-io/my-proxy');
  assert.equal(v.debugContainer.image.name, 'my.custom.registry/linkerd-io/debug');
  assert.equal(v.controllerImage, 'my.custom.registry/linkerd-io/controller');
  assert.equal(withRegistry('proxy', 'r'), 'r/proxy');
  assert.equal(v.imagePullPolicy, 'Always');
  assert.equal(v.proxy.image.pullPolicy, 'Always');
  assert.equal(v.debugContainer.image.pullPolicy, 'Always');
});

test('flag validation messages of install.md §6', () => {
  const cases: [Parameters<typeof applyProxyFlags>[1], string][] = [
    [{ proxyLogLevel: '' }, '--proxy-log-level must not be empty'],
    [
      { proxyLogLevel: 'warn,linkerd=loud' },
      '"warn,linkerd=loud" is not a valid proxy log level - for allowed syntax check https://docs.rs/env_logger/0.6.0/env_logger/#enabling-logging',
    ],
    [{ imagePullPolicy: 'Sometimes' }, '--image-pull-policy must be one of: Always, IfNotPresent, Never'],
    [{ proxyCpuRequest: 'lots' }, "Invalid cpu request 'lots' for --proxy-cpu-request flag"],
    [{ proxyCpuLimit: '1x' }, "Invalid cpu limit '1x' for --proxy-cpu-limit flag"],
    [{ proxyMemoryRequest: '12QB' }, "Invalid memory request '12QB' for --proxy-memory-request flag"],
    [{ proxyMemoryLimit: 'big' }, "Invalid memory limit 'big' for --proxy-memory-limit flag"],
    [{ skipInboundPorts: ['http'] }, '"http" is not a valid port nor port-range'],
    [{ skipInboundPorts: ['1-2-3'] }, 'ranges expected as <lower>-<upper>'],
    [{ skipOutboundPorts: ['x-5'] }, '"x" is not a valid lower-bound'],
    [{ skipOutboundPorts: ['5-70000'] }, '"70000" is not a valid upper-bound'],
    [{ skipOutboundPorts: ['9-3'] }, '"9-3": upper-bound must be greater than or equal to lower-bound'],
    [
      { defaultInboundPolicy: 'allow' },
      '--default-inbound-policy must be one of: all-authenticated, all-unauthenticated, cluster-authenticated, cluster-unauthenticated, deny, audit (got allow)',
    ],
  ];
  for (const [flags, message] of cases) assert.throws(() => applyProxyFlags(defaultValues(), flags), { message });
  assert.doesNotThrow(() =>
    applyProxyFlags(defaultValues(), { proxyLogLevel: 'off,hickory=error,linkerd::app=debug' }),
  );
});

test('validateProxyValues checks the final values (after --set) with the same messages', () => {
  const check = (overlay: Record<string, unknown>) => () => validateProxyValues(deepMerge(defaultValues(), overlay));
  assert.doesNotThrow(check({}));
  assert.throws(check({ proxy: { resources: { cpu: { request: '2', limit: '1' } } } }), {
    message: "The cpu limit '1' cannot be lower than the cpu request '2'",
  });
  assert.throws(check({ proxy: { resources: { memory: { request: '1Gi', limit: '100Mi' } } } }), {
    message: "The memory limit '100Mi' cannot be lower than the memory request '1Gi'",
  });
  assert.throws(check({ clusterNetworks: '10.0.0.0/8,10.0.0.0' }), {
    message: 'cannot parse destination get networks: invalid CIDR address: 10.0.0.0',
  });
  assert.throws(check({ proxy: { image: { version: 'v1/evil' } } }), { message: 'v1/evil is not a valid version' });
  assert.throws(check({ proxyInit: { ignoreInboundPorts: '4567,abc' } }), {
    message: '"abc" is not a valid port nor port-range',
  });
  assert.throws(check({ imagePullPolicy: 'Later' }), {
    message: '--image-pull-policy must be one of: Always, IfNotPresent, Never',
  });
  assert.throws(check({ proxy: { defaultInboundPolicy: 'x' } }), /\(got x\)$/);
});

test('quantities parse like Kubernetes and round up to whole cores', () => {
  assert.equal(parseQuantity('100m'), 0.1);
  assert.equal(parseQuantity('1Ki'), 1024);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('.5'), 0.5);
  assert.equal(parseQuantity('1 Mi'), undefined);
  assert.equal(parseQuantity(''), undefined);
  assert.deepEqual([0.1, 0.5, 1, 1.5, 1.001, 3].map(wholeCores), [1, 1, 1, 2, 2, 3]);
});

test('proxyFlagValues keeps only the flags oclif reported as given', () => {
  assert.deepEqual(
    proxyFlagValues({
      'proxy-uid': 5,
      'skip-inbound-ports': ['1', '2'],
      registry: 'r',
      'enable-external-profiles': false,
    }),
    { proxyUid: 5, skipInboundPorts: ['1', '2'], registry: 'r' },
  );
});
