import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { assertGolden } from '../support/golden.js';
import { runInject, runUninject, type InjectRun } from '../../src/manifests/inject/pipeline.js';
import { applyWorkloadFlags, type WorkloadFlagValues } from '../../src/manifests/inject/workload-flags.js';
import { applyProxyFlags, type ProxyFlagValues } from '../../src/manifests/values/apply-proxy-flags.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import type { Values } from '../../src/manifests/values/types.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'inject');
const TRUST_ANCHORS = readFileSync(join(process.cwd(), 'test', 'fixtures', 'certs', 'trust-anchors.pem'), 'utf8');

/** The conformance suite's fixed base (inject.md §11.1): pinned versions and trust anchors. */
function testBase(adjust: (v: Values) => void = () => {}): Values {
  const v = defaultValues('test-inject-control-plane-version');
  v.identityTrustAnchorsPEM = TRUST_ANCHORS;
  v.proxy.image.version = 'test-inject-proxy-version';
  v.debugContainer.image.version = 'test-inject-debug-version';
  adjust(v);
  return v;
}

interface Case {
  name: string;
  input: string;
  manual?: boolean;
  proxy?: ProxyFlagValues;
  workload?: WorkloadFlagValues;
  base?: (v: Values) => void;
  debug?: boolean;
  closeWait?: string;
  verbose?: boolean;
  exitCode?: number;
}

const M = { manual: true };
const CASES: Case[] = [
  { name: 'deployment', input: 'deployment.input.yml', ...M },
  { name: 'deployment_auto', input: 'deployment.input.yml' },
  { name: 'deployment_verbose', input: 'deployment.input.yml', verbose: true },
  { name: 'deployment_overridden_noinject', input: 'deployment.input.yml', proxy: { adminPort: 1234 } },
  { name: 'deployment_overridden', input: 'deployment.input.yml', ...M, proxy: { adminPort: 1234 } },
  { name: 'deployment_json', input: 'deployment.input.json', ...M },
  { name: 'deployment_no_init_container', input: 'deployment.input.yml', ...M, base: (v) => (v.cniEnabled = true) },
  { name: 'deployment_debug', input: 'deployment.input.yml', ...M, debug: true },
  { name: 'deployment_native_sidecar_off', input: 'deployment.input.yml', ...M, workload: { nativeSidecar: false } },
  {
    name: 'deployment_proxyignores',
    input: 'deployment.input.yml',
    ...M,
    proxy: { skipInboundPorts: ['22', '8100-8102'], skipOutboundPorts: ['5432'] },
  },
  {
    name: 'deployment_opaque_ports',
    input: 'deployment.input.yml',
    ...M,
    workload: { opaquePorts: ['3000', '5000-6000', 'http'] },
  },
  {
    name: 'deployment_default_inbound_policy',
    input: 'deployment.input.yml',
    proxy: { defaultInboundPolicy: 'all-authenticated' },
  },
  { name: 'pod', input: 'pod.input.yml', ...M },
  { name: 'pod_ingress', input: 'pod.input.yml', ...M, workload: { ingress: true } },
  {
    name: 'pod_with_requests',
    input: 'pod.input.yml',
    ...M,
    proxy: { proxyCpuRequest: '110m', proxyCpuLimit: '160m', proxyMemoryRequest: '100Mi', proxyMemoryLimit: '150Mi' },
  },
  { name: 'list', input: 'list.input.yml', ...M },
  { name: 'statefulset', input: 'statefulset.input.yml', ...M },
  { name: 'cronjob', input: 'cronjob.input.yml' },
  { name: 'cronjob_nometa', input: 'cronjob-nometa.input.yml' },
  { name: 'daemonset', input: 'daemonset.input.yml', ...M },
  { name: 'job', input: 'job.input.yml', ...M },
  { name: 'inject_disabled', input: 'inject-disabled.input.yml', ...M },
  { name: 'host_network', input: 'host-network.input.yml', ...M, exitCode: 1 },
  { name: 'udp', input: 'udp.input.yml', ...M },
  { name: 'config_overrides', input: 'config-overrides.input.yml', ...M, proxy: { proxyVersion: 'override' } },
  { name: 'capabilities', input: 'capabilities.input.yml', ...M },
  { name: 'empty_resources', input: 'empty-resources.input.yml', ...M },
  { name: 'namespace', input: 'namespace.input.yml' },
  { name: 'namespace_ingress', input: 'namespace.input.yml', workload: { ingress: true } },
  { name: 'service_opaque', input: 'service.input.yml', workload: { opaquePorts: ['3306'] } },
  { name: 'automount_off', input: 'automount-off.input.yml', ...M },
  {
    name: 'automount_off_projection_disabled',
    input: 'automount-off.input.yml',
    base: (v) => (v.identity.serviceAccountTokenProjection = false),
    exitCode: 1,
  },
  { name: 'istio', input: 'istio.input.yml', ...M, exitCode: 1 },
  { name: 'control_plane_auto', input: 'control-plane.input.yml', exitCode: 1 },
  { name: 'control_plane_manual', input: 'control-plane.input.yml', ...M },
  { name: 'close_wait', input: 'pod.input.yml', closeWait: '1m0s', exitCode: 0 },
];

export function runCase(c: Case, text?: string) {
  const base = testBase(c.base);
  const values = applyWorkloadFlags(applyProxyFlags(base, c.proxy ?? {}), c.workload ?? {});
  const run: InjectRun = {
    manual: c.manual ?? false,
    base,
    values,
    controlPlaneNamespace: 'linkerd',
    enableDebugSidecar: c.debug ?? false,
    createdBy: 'linkerd/cli dev-undefined',
    output: c.input.endsWith('.json') ? 'yaml' : 'yaml',
    verbose: c.verbose ?? false,
    color: new Chalk({ level: 0 }),
    ...(c.closeWait ? { closeWaitTimeout: c.closeWait } : {}),
  };
  return runInject([{ name: c.input, text: text ?? readFileSync(join(FIXTURES, c.input), 'utf8') }], run);
}

for (const c of CASES) {
  test(`inject golden: ${c.name}`, () => {
    const out = runCase(c);
    assert.equal(out.exitCode, c.exitCode ?? 0, out.stderr);
    if (out.exitCode !== 0) assert.equal(out.stdout, '', 'a failed run writes nothing to stdout');
    assertGolden(`inject/${c.name}.golden.out`, out.stdout);
    assertGolden(`inject/${c.name}.golden.report`, out.stderr);
  });
}

const ROUND_TRIP = CASES.filter(
  (c) =>
    (c.exitCode ?? 0) === 0 && c.name !== 'control_plane_manual' && !c.proxy && !c.workload && !c.debug && !c.closeWait,
);

for (const c of ROUND_TRIP) {
  test(`uninject(inject(x)) is x, byte for byte: ${c.name}`, () => {
    const input = readFileSync(join(FIXTURES, c.input), 'utf8');
    const injected = runCase(c);
    const back = runUninject([{ name: 'injected', text: injected.stdout }], 'yaml');
    assert.equal(back.exitCode, 0);
    assert.equal(back.stdout, input.endsWith('\n') ? input : `${input}\n`);
  });
}

test('re-injecting injected output changes nothing (idempotent)', () => {
  for (const c of CASES.filter((k) => (k.exitCode ?? 0) === 0)) {
    const once = runCase(c);
    const twice = runCase(c, once.stdout);
    assert.equal(twice.stdout, once.stdout, c.name);
  }
});

test('uninject report', () => {
  const injected = runCase({ name: 'list', input: 'list.input.yml', manual: true });
  const back = runUninject([{ name: 'x', text: injected.stdout }], 'yaml');
  assertGolden('inject/list_uninject.golden.report', back.stderr);
  const untouched = runUninject(
    [{ name: 'x', text: readFileSync(join(FIXTURES, 'host-network.input.yml'), 'utf8') }],
    'yaml',
  );
  assert.equal(untouched.stderr, '\ndeployment "web" skipped\n\n');
});
