// linkerd-await (l5d-await): readiness polling against a local admin server, the timeout, the
// wrapper form (exit codes, stdio, signals, --shutdown), the disabled variables and its flags.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseAwaitArgs, disabledReason } from '../../src/runtime/await/flags.js';
import { parseHelperDuration } from '../../src/runtime/shared/data-plane-duration.js';
import { UsageError } from '../../src/runtime/shared/clap-command-line.js';
import { waitUntilReady } from '../../src/runtime/await/ready.js';

const RUN = join(import.meta.dirname, '..', '..', 'src', 'runtime', 'await', 'run.ts');

interface FakeAdmin {
  port: number;
  requests: string[];
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

/** A proxy admin server: /ready is 503 until setReady(true); POST /shutdown is recorded. */
async function fakeAdmin(readyAfterMs = Infinity): Promise<FakeAdmin> {
  const started = Date.now();
  let forced: boolean | undefined;
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const ready = forced ?? Date.now() - started >= readyAfterMs;
    if (req.url === '/ready') res.writeHead(ready ? 200 : 503).end(ready ? 'ready\n' : 'not ready\n');
    else if (req.url === '/shutdown' && req.method === 'POST') res.writeHead(200).end('shutdown\n');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    setReady(ready) {
      forced = ready;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const admin = await fakeAdmin();
  await admin.close();
  return admin.port;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runAwait(
  args: string[],
  env: Record<string, string> = {},
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  const started = Date.now();
  const childEnv = { ...process.env, ...env };
  if (!('LINKERD_AWAIT_DISABLED' in env)) delete childEnv['LINKERD_AWAIT_DISABLED'];
  if (!('LINKERD_DISABLED' in env)) delete childEnv['LINKERD_DISABLED'];
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...args], { env: childEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })),
  );
}

describe('waiting for readiness', () => {
  it('returns once /ready answers 200, polling at the backoff', async () => {
    const admin = await fakeAdmin(400);
    try {
      const started = Date.now();
      const result = await waitUntilReady({ port: admin.port, backoffMs: 50, timeoutMs: 5000 });
      assert.deepEqual(result, { ready: true });
      assert.ok(Date.now() - started >= 400);
      assert.ok(admin.requests.length >= 3, `only ${admin.requests.length} checks`);
      assert.ok(admin.requests.every((r) => r === 'GET /ready'));
    } finally {
      await admin.close();
    }
  });

  it('gives up at the timeout and says what the last check saw', async () => {
    const admin = await fakeAdmin();
    try {
      const started = Date.now();
      const result = await waitUntilReady({ port: admin.port, backoffMs: 50, timeoutMs: 300 });
      assert.deepEqual(result, { ready: false, lastError: 'GET /ready answered 503' });
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 300 && elapsed < 3000, `took ${elapsed}ms`);
    } finally {
      await admin.close();
    }
  });

  it('keeps trying while nothing listens yet', async () => {
    const result = await waitUntilReady({ port: await closedPort(), backoffMs: 50, timeoutMs: 200 });
    assert.equal(result.ready, false);
    assert.match(!result.ready ? result.lastError : '', /ECONNREFUSED/);
  });
});

describe('l5d-await as a process', () => {
  let ready: FakeAdmin;
  before(async () => {
    ready = await fakeAdmin(0);
  });
  after(() => ready.close());

  it('exits 0 once the proxy turns ready (postStart hook form)', async () => {
    const admin = await fakeAdmin(500);
    try {
      const run = await runAwait(['--timeout=2m', `--port=${admin.port}`, '--backoff=50ms']);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(run.ms >= 500);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, '');
    } finally {
      await admin.close();
    }
  });

  it('exits non-zero with a clear message when the proxy is not ready in time', async () => {
    const admin = await fakeAdmin();
    try {
      const run = await runAwait(['-t', '400ms', '-p', String(admin.port), '-b', '50ms', '--', 'sh', '-c', 'echo ran']);
      assert.equal(run.code, 69);
      assert.equal(run.stdout, '', 'the command must not run');
      assert.match(
        run.stderr,
        new RegExp(
          `linkerd-proxy failed to become ready within 400ms timeout .*127\\.0\\.0\\.1:${admin.port}/ready.*503`,
        ),
      );
    } finally {
      await admin.close();
    }
  });

  it('runs the command after readiness, passing stdio and its exit code', async () => {
    const run = await runAwait([
      `--port=${ready.port}`,
      '--',
      'sh',
      '-c',
      'echo "out $1"; echo err >&2; exit 7',
      'sh',
      'arg',
    ]);
    assert.equal(run.code, 7);
    assert.equal(run.stdout, 'out arg\n');
    assert.equal(run.stderr, 'err\n');
  });

  it('takes the command without `--` too, leaving its own flags alone', async () => {
    const run = await runAwait([`--port=${ready.port}`, 'sh', '-c', 'exit 3', '--port=1']);
    assert.equal(run.code, 3);
  });

  it('forwards SIGTERM to the command and exits with its code', async () => {
    const script = "process.on('SIGTERM', () => process.exit(42)); console.log('up'); setInterval(() => {}, 1000);";
    const run = await runAwait([`--port=${ready.port}`, '--', process.execPath, '-e', script], {}, (out, child) => {
      if (out === 'up\n') child.kill('SIGTERM');
    });
    assert.equal(run.code, 42, run.stderr);
  });

  it('dies of the signal that killed the command', async () => {
    const run = await runAwait([`--port=${ready.port}`, '--', 'sh', '-c', 'kill -KILL $$']);
    assert.equal(run.signal, 'SIGKILL');
  });

  it('exits 71 when the command cannot be started', async () => {
    const run = await runAwait([`--port=${ready.port}`, '--', '/nonexistent/l5d-test-command']);
    assert.equal(run.code, 71);
    assert.match(run.stderr, /Failed to exec child program: \/nonexistent\/l5d-test-command/);
  });

  it('--shutdown runs the command, then POSTs /shutdown, and keeps the exit code', async () => {
    const admin = await fakeAdmin(0);
    try {
      const run = await runAwait([`--port=${admin.port}`, '--shutdown', '--', 'sh', '-c', 'echo job; exit 5']);
      assert.equal(run.code, 5, run.stderr);
      assert.equal(run.stdout, 'job\n');
      assert.equal(admin.requests.at(-1), 'POST /shutdown');
      assert.equal(admin.requests.filter((r) => r === 'POST /shutdown').length, 1);
    } finally {
      await admin.close();
    }
  });

  it('without --shutdown never asks the proxy to stop', async () => {
    const admin = await fakeAdmin(0);
    try {
      const run = await runAwait([`--port=${admin.port}`, '--', 'true']);
      assert.equal(run.code, 0);
      assert.deepEqual(
        admin.requests.filter((r) => r.startsWith('POST')),
        [],
      );
    } finally {
      await admin.close();
    }
  });

  for (const variable of ['LINKERD_AWAIT_DISABLED', 'LINKERD_DISABLED']) {
    it(`${variable} skips the wait and just runs the command`, async () => {
      const port = await closedPort();
      const run = await runAwait(['--timeout=30s', `--port=${port}`, '--', 'sh', '-c', 'echo ran; exit 4'], {
        [variable]: 'linkerd-await cannot block the identity controller',
      });
      assert.equal(run.code, 4);
      assert.equal(run.stdout, 'ran\n');
      assert.equal(run.stderr, '');
      assert.ok(run.ms < 15_000, `took ${run.ms}ms`);
    });
  }

  it('disabled with -v says why, and without a command exits 0', async () => {
    const run = await runAwait(['-v', `--port=${await closedPort()}`], { LINKERD_AWAIT_DISABLED: 'no proxy here' });
    assert.equal(run.code, 0);
    assert.equal(run.stderr, 'Linkerd readiness check skipped: no proxy here\n');
  });

  it('an empty LINKERD_AWAIT_DISABLED does not disable the wait', async () => {
    const run = await runAwait(['-t', '200ms', `--port=${await closedPort()}`, '--', 'true'], {
      LINKERD_AWAIT_DISABLED: '',
    });
    assert.equal(run.code, 69);
  });

  it('rejects bad flags with exit 2 and nothing on stdout', async () => {
    for (const args of [['--timeout=soon'], ['--port=70000'], ['--bogus'], ['--shutdown'], ['--port']]) {
      const run = await runAwait(args);
      assert.equal(run.code, 2, args.join(' '));
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /^error: /);
    }
  });
});

test('flags: defaults, clap forms and the command', () => {
  assert.deepEqual(parseAwaitArgs([], {}), {
    kind: 'run',
    options: { port: 4191, backoffMs: 1000, shutdown: false, verbose: false },
  });
  const full = parseAwaitArgs(['-p4192', '-b=250ms', '--timeout', '2m', '-Sv', '--', 'app', '--flag', '-x'], {});
  assert.deepEqual(full, {
    kind: 'run',
    options: {
      port: 4192,
      backoffMs: 250,
      timeout: { ms: 120_000, text: '2m' },
      shutdown: true,
      verbose: true,
      command: { file: 'app', args: ['--flag', '-x'] },
    },
  });
  const verboseFromEnv = parseAwaitArgs([], { LINKERD_AWAIT_VERBOSE: 'true' });
  assert.equal(verboseFromEnv.kind === 'run' && verboseFromEnv.options.verbose, true);
  assert.deepEqual(parseAwaitArgs(['--help'], {}), { kind: 'help' });
  assert.deepEqual(parseAwaitArgs(['-V'], {}), { kind: 'version' });
  assert.throws(() => parseAwaitArgs(['--port=0'], {}), UsageError);
  assert.throws(() => parseAwaitArgs(['--shutdown=yes', 'x'], {}), /unexpected value 'yes'/);
  assert.throws(() => parseAwaitArgs(['-x'], {}), /unexpected argument '-x'/);
});

test('durations', () => {
  const cases: Array<[string, number]> = [
    ['2m', 120_000],
    ['30s', 30_000],
    ['500ms', 500],
    ['1d', 86_400_000],
    ['2h', 7_200_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    [' 10s ', 10_000],
    ['0', 0],
    ['0ms', 0],
  ];
  for (const [text, ms] of cases) assert.equal(parseHelperDuration(text), ms, text);
  for (const bad of ['120', 's', 'foobars', '', '-1s', '10 s', '5x', '1e3ms']) {
    assert.throws(() => parseHelperDuration(bad), /invalid duration/, bad);
  }
});

test('disabled reason: the first non-empty of LINKERD_AWAIT_DISABLED, LINKERD_DISABLED', () => {
  assert.equal(disabledReason({}), undefined);
  assert.equal(disabledReason({ LINKERD_AWAIT_DISABLED: '', LINKERD_DISABLED: '' }), undefined);
  assert.equal(disabledReason({ LINKERD_DISABLED: 'b' }), 'b');
  assert.equal(disabledReason({ LINKERD_AWAIT_DISABLED: 'a', LINKERD_DISABLED: 'b' }), 'a');
  assert.equal(disabledReason({ LINKERD_AWAIT_DISABLED: '', LINKERD_DISABLED: 'b' }), 'b');
});
