import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  channelsFromExpected,
  fetchLatestChannels,
  matchVersion,
  releaseVersionOfNpm,
  type FetchLike,
} from '../../src/checks/versions.js';
import { hintBaseFor } from '../../src/checks/hints.js';

const edge = channelsFromExpected('edge-26.11.1');

test('matching rules and their exact messages', () => {
  assert.doesNotThrow(() => matchVersion('edge-26.11.1', edge));
  assert.throws(() => matchVersion('', edge), { message: 'actual version is empty' });
  assert.throws(() => matchVersion('edge-26.11.1', []), { message: 'unable to determine version channel' });
  assert.throws(() => matchVersion('garbage', edge), {
    message: 'failed to parse actual version: unsupported version format: garbage',
  });
  assert.throws(() => matchVersion('stable-2.14.10', edge), { message: 'unsupported version channel: stable-2.14.10' });
  assert.throws(() => matchVersion('edge-26.10.2', edge), {
    message: 'is running version 26.10.2 but the latest edge version is 26.11.1',
  });
  const hot = channelsFromExpected('stable-2.14.10-2');
  assert.throws(() => matchVersion('stable-2.14.10', hot), { message: 'unsupported version channel: stable-2.14.10' });
  assert.throws(() => matchVersion('stable-2.14.10-1', hot), {
    message: 'is running version 2.14.10-1 but the latest stable version is 2.14.10-2',
  });
  assert.throws(() => channelsFromExpected('nodash'), { message: 'unsupported version format: nodash' });
});

test('npm versions map to edge release versions', () => {
  assert.equal(releaseVersionOfNpm('2026.11.1'), 'edge-26.11.1');
  assert.equal(releaseVersionOfNpm('2027.1.12'), 'edge-27.1.12');
  assert.throws(() => releaseVersionOfNpm('1.2.3-beta'), /unexpected versioncheck response/);
});

const respond =
  (status: number, body: unknown, statusText = 'OK'): FetchLike =>
  async () => ({ ok: status >= 200 && status < 300, status, statusText, json: async () => body });

test('registry lookup: latest dist-tag, HTTP errors, bad bodies, DNS and connection failures', async () => {
  const signal = new AbortController().signal;
  const url = 'https://registry.example/l5d';
  assert.deepEqual(await fetchLatestChannels(url, respond(200, { 'dist-tags': { latest: '2026.12.3' } }), signal), [
    { channel: 'edge', version: '26.12.3' },
  ]);
  await assert.rejects(fetchLatestChannels(url, respond(503, {}, 'Service Unavailable'), signal), {
    message: 'unexpected versioncheck response: 503 Service Unavailable',
  });
  await assert.rejects(fetchLatestChannels(url, respond(200, { name: 'l5d' }), signal), {
    message: 'unexpected versioncheck response: no dist-tags.latest',
  });
  const failing =
    (code: string, message: string): FetchLike =>
    async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(message), { code }) });
    };
  await assert.rejects(fetchLatestChannels(url, failing('ENOTFOUND', 'getaddrinfo ENOTFOUND'), signal), {
    message: `failed to resolve version check server: ${url}`,
  });
  await assert.rejects(fetchLatestChannels(url, failing('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), signal), {
    message: `Get "${url}": connect ECONNREFUSED 127.0.0.1:9`,
  });
});

test('registry lookup never hangs: it gives up after its timeout', async () => {
  const hanging: FetchLike = (_url, init) =>
    new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
  const started = Date.now();
  // AbortSignal.timeout does not hold the event loop open (a real socket would).
  const keepAlive = setTimeout(() => undefined, 5000);
  try {
    await assert.rejects(
      fetchLatestChannels('http://x/l5d', hanging, new AbortController().signal, 50),
      /context deadline exceeded/,
    );
  } finally {
    clearTimeout(keepAlive);
  }
  assert.ok(Date.now() - started < 2000);
});

test('hint base depends on the CLI version', () => {
  assert.equal(hintBaseFor('stable-2.14.10'), 'https://linkerd.io/2.14/checks/#');
  assert.equal(hintBaseFor('edge-26.11.1'), 'https://linkerd.io/2/checks/#');
  assert.equal(hintBaseFor('dev-undefined'), 'https://linkerd.io/2/checks/#');
});
