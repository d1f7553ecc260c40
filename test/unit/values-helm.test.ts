import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applySetFlags,
  parseValuesYaml,
  readValueFlags,
  type ValueSourceIO,
} from '../../src/manifests/values/helm-values.js';
import { parseSetInto, stringReader, typedReader } from '../../src/manifests/values/strvals.js';

const set = (expr: string, reader = typedReader) => {
  const data = {};
  parseSetInto(expr, data, reader);
  return data;
};

test('--set infers bool, null and int64 like Helm strvals, never floats', () => {
  assert.deepEqual(set('a=true,b=FALSE,c=null,d=0,e=42,f=-7,g=1.5,h=007,i=1e3,j=abc'), {
    a: true,
    b: false,
    c: null,
    d: 0,
    e: 42,
    f: -7,
    g: '1.5',
    h: '007',
    i: '1e3',
    j: 'abc',
  });
});

test('--set-string keeps every value a string', () => {
  assert.deepEqual(set('a=true,b=42,c={1,2}', stringReader), { a: 'true', b: '42', c: ['1', '2'] });
});

test('nested keys, list indexes and {a,b} lists', () => {
  assert.deepEqual(set('proxy.ports.admin=1234,x[1]=b,y[0].name=n,z={a,b},w[0][1]=q'), {
    proxy: { ports: { admin: 1234 } },
    x: [null, 'b'],
    y: [{ name: 'n' }],
    z: ['a', 'b'],
    w: [[null, 'q']],
  });
});

test('escaped commas and dots stay literal', () => {
  assert.deepEqual(set('clusterNetworks=10.0.0.0/8\\,fd00::/8'), { clusterNetworks: '10.0.0.0/8,fd00::/8' });
  assert.deepEqual(set('podAnnotations.config\\.linkerd\\.io/x=1'), { podAnnotations: { 'config.linkerd.io/x': 1 } });
});

test('empty value is the empty string; later assignments win', () => {
  assert.deepEqual(set('a=,b=1,b=2'), { a: '', b: 2 });
  const into = { proxy: { logLevel: 'info', uid: 1 } };
  parseSetInto('proxy.logLevel=debug', into, typedReader);
  assert.deepEqual(into, { proxy: { logLevel: 'debug', uid: 1 } });
});

test('parse errors use Helm wording and name the flag', () => {
  assert.throws(() => applySetFlags({ set: ['proxy'] }, {}), {
    message: 'failed parsing --set data: key "proxy" has no value',
  });
  assert.throws(() => applySetFlags({ set: ['proxy,a=1'] }, {}), {
    message: 'failed parsing --set data: key "proxy" has no value (cannot end with ,)',
  });
  assert.throws(() => applySetFlags({ set: ['proxy.x[-1]=1'] }, {}), {
    message: 'failed parsing --set data: negative -1 index not allowed',
  });
  assert.throws(() => applySetFlags({ setString: ['tolerations={a,b'] }, {}), {
    message: "failed parsing --set-string data: list must terminate with '}'",
  });
});

test('unknown top-level keys are refused with the flag value; unknown nested keys pass', () => {
  assert.throws(() => applySetFlags({ set: ['proxy.logLevel=debug,proxxy.uid=1'] }, {}), {
    message: 'unknown value key "proxxy.uid" in --set "proxy.logLevel=debug,proxxy.uid=1"',
  });
  const into = {};
  applySetFlags({ set: ['proxyInjector.objectSelector.matchLabels.a=b', 'installGatewayAPI=true'] }, into);
  assert.deepEqual(into, { proxyInjector: { objectSelector: { matchLabels: { a: 'b' } } }, installGatewayAPI: true });
});

const fakeIO = (files: Record<string, string>): ValueSourceIO => ({
  readText: async (p) => {
    if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return files[p] as string;
  },
  readTextSync: (p) => {
    if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return files[p] as string;
  },
  fetchText: async (u) => files[u] ?? '',
});

test('values files merge in order (maps merge, lists replace), then --set, --set-string, --set-file', async () => {
  const io = fakeIO({
    'a.yaml': 'clusterDomain: a.local\nproxy:\n  logLevel: info\n  uid: 5\ntolerations: [x, y]\n',
    'https://example.com/b.yaml': 'proxy:\n  uid: 6\ntolerations: [z]\n',
    'anchors.pem': 'PEM\n',
  });
  const out = await readValueFlags(
    {
      values: ['a.yaml', 'https://example.com/b.yaml'],
      set: ['proxy.uid=7'],
      setString: ['proxy.gid=8'],
      setFile: ['identityTrustAnchorsPEM=anchors.pem'],
    },
    io,
  );
  assert.deepEqual(out, {
    clusterDomain: 'a.local',
    proxy: { logLevel: 'info', uid: 7, gid: '8' },
    tolerations: ['z'],
    identityTrustAnchorsPEM: 'PEM\n',
  });
});

test('values file errors name the file and line:column', async () => {
  assert.throws(() => parseValuesYaml('a: 1\nb: [1, 2\n', 'bad.yaml'), /^Error: failed to parse bad\.yaml: \d+:\d+: /);
  assert.throws(() => parseValuesYaml('- 1\n', 'list.yaml'), {
    message: 'failed to parse list.yaml: 1:1: values must be a YAML map',
  });
  await assert.rejects(readValueFlags({ values: ['missing.yaml'] }, fakeIO({})), {
    message: 'failed to read values file missing.yaml: ENOENT',
  });
  assert.throws(() => applySetFlags({ setFile: ['identityTrustAnchorsPEM=missing.pem'] }, {}, fakeIO({})), {
    message: 'failed parsing --set-file data: cannot read file "missing.pem": ENOENT',
  });
});

test('values files use YAML 1.1 scalars as Helm does', () => {
  assert.deepEqual(parseValuesYaml('cniEnabled: yes\nx: "yes"\n', 'f'), { cniEnabled: true, x: 'yes' });
});
