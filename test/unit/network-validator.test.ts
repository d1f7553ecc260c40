// linkerd2-network-validator (l5d-network-validator): flags and env, durations, log filters, the
// token, the check itself on loopback, and the process's exit codes.
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { UsageError } from '../../src/runtime/shared/clap-command-line.js';
import { parseSocketAddress, parseValidatorArgs } from '../../src/runtime/network-validator/flags.js';
import { createLogger, parseLogLevel } from '../../src/runtime/network-validator/log.js';
import { generateToken, validate } from '../../src/runtime/network-validator/validate.js';

const RUN = join(import.meta.dirname, '..', '..', 'src', 'runtime', 'network-validator', 'run.ts');

function options(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseValidatorArgs(argv, env);
  assert.equal(parsed.kind, 'run');
  return parsed.kind === 'run' ? parsed.options : assert.fail();
}

test('defaults match the upstream validator', () => {
  assert.deepEqual(options([]), {
    logLevel: 'info',
    logFormat: 'plain',
    timeoutMs: 10_000,
    listen: { host: '0.0.0.0', port: 4140 },
    connect: { host: '192.0.2.2', port: 1404 },
  });
});

test('the chart arguments parse, in both --flag value and --flag=value forms', () => {
  const chart = options([
    '--log-format',
    'json',
    '--log-level',
    'debug',
    '--connect-addr',
    '[fd00::1]:20001',
    '--listen-addr',
    '[::]:4140',
    '--timeout',
    '10s',
  ]);
  assert.deepEqual(chart, {
    logLevel: 'debug',
    logFormat: 'json',
    timeoutMs: 10_000,
    listen: { host: '::', port: 4140 },
    connect: { host: 'fd00::1', port: 20001 },
  });
  assert.deepEqual(options(['--connect-addr=1.1.1.1:20001', '--timeout=2m']).connect, { host: '1.1.1.1', port: 20001 });
  assert.equal(options(['--timeout=2m']).timeoutMs, 120_000);
});

test('log settings come from the env when the flags are absent; flags win', () => {
  const env = { LINKERD_NETWORK_VALIDATOR_LOG_LEVEL: 'warn', LINKERD_NETWORK_VALIDATOR_LOG_FORMAT: 'json' };
  assert.deepEqual([options([], env).logLevel, options([], env).logFormat], ['warn', 'json']);
  const flagged = options(['--log-level=trace', '--log-format=plain'], env);
  assert.deepEqual([flagged.logLevel, flagged.logFormat], ['trace', 'plain']);
  assert.equal(options([], { LINKERD_NETWORK_VALIDATOR_LOG_LEVEL: '' }).logLevel, 'info');
});

test('timeouts: units ms/s/m/h/d, a bare 0 only', () => {
  for (const [text, ms] of [
    ['0', 0],
    ['500ms', 500],
    ['10s', 10_000],
    ['2m', 120_000],
    ['2h', 7_200_000],
    ['2d', 172_800_000],
  ] as const) {
    assert.equal(options(['--timeout', text]).timeoutMs, ms, text);
  }
  for (const bad of ['120', 's', 'foobars', '10sec', '-1s']) {
    assert.throws(() => options(['--timeout', bad]), /invalid value .* for '--timeout'/, bad);
  }
});

test('socket addresses must be IP literals, IPv6 in brackets', () => {
  assert.deepEqual(parseSocketAddress('listen-addr', '127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  for (const bad of ['localhost:4140', '::1:4140', '[1.2.3.4]:80', '1.2.3.4', '1.2.3.4:70000', ':4140', '[::]']) {
    assert.throws(() => parseSocketAddress('listen-addr', bad), /invalid value .* for '--listen-addr'/, bad);
  }
});

test('bad command lines are usage errors', () => {
  for (const argv of [
    ['extra'],
    ['--nope'],
    ['--log-format', 'yaml'],
    ['--log-level', 'linkerd=loud'],
    ['--timeout'],
  ]) {
    assert.throws(() => parseValidatorArgs(argv, {}), UsageError, argv.join(' '));
  }
  assert.deepEqual(parseValidatorArgs(['--help'], {}), { kind: 'help' });
  assert.deepEqual(parseValidatorArgs(['--version'], {}), { kind: 'version' });
});

test('log filters: bare level, target directives, longest match wins', () => {
  assert.equal(parseLogLevel('debug'), 'debug');
  assert.equal(parseLogLevel('WARN'), 'warn');
  assert.equal(parseLogLevel('warn,linkerd=debug'), 'debug');
  assert.equal(parseLogLevel('linkerd=debug,linkerd_network_validator=trace,info'), 'trace');
  assert.equal(parseLogLevel('linkerd_network_validator=off,debug'), 'off');
  assert.equal(parseLogLevel('other=debug'), 'error');
  assert.equal(parseLogLevel('info,[conn]=trace'), 'info');
  assert.throws(() => parseLogLevel('linkerd=verbose'), /unknown level 'verbose'/);
});

function capture(): { sink: Writable; lines: () => string[] } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { sink, lines: () => text.split('\n').filter((l) => l !== '') };
}

test('log output: tracing-like plain lines and json objects, filtered by level', () => {
  const plain = capture();
  const log = createLogger('info', 'plain', plain.sink);
  log.debug('hidden');
  log.info('Validated');
  log.error('', { error: 'boom' });
  assert.equal(plain.lines().length, 2);
  assert.match(plain.lines()[0] ?? '', /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}INFO linkerd_network_validator: Validated$/);
  assert.match(plain.lines()[1] ?? '', /Z ERROR linkerd_network_validator: error=boom$/);
  const json = capture();
  createLogger('debug', 'json', json.sink).debug('Read', { size: 64 });
  const record = JSON.parse(json.lines()[0] ?? '') as Record<string, unknown>;
  assert.deepEqual(
    { ...record, timestamp: typeof record['timestamp'] },
    { timestamp: 'string', level: 'DEBUG', fields: { message: 'Read', size: 64 }, target: 'linkerd_network_validator' },
  );
});

test('tokens: 63 random alphanumerics and a newline', () => {
  const tokens = Array.from({ length: 200 }, generateToken);
  for (const token of tokens) {
    assert.equal(Buffer.byteLength(token), 64);
    assert.match(token, /^[A-Za-z0-9]{63}\n$/);
  }
  assert.equal(new Set(tokens).size, tokens.length);
  const used = new Set(tokens.join('').replace(/\n/g, ''));
  assert.ok(used.size >= 60, `only ${used.size} distinct characters`);
});

async function serve(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function freePort(): Promise<number> {
  const { server, port } = await serve(() => {});
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the check on loopback', () => {
  const quiet = createLogger('off', 'plain', capture().sink);

  it('passes when the connection reaches the listener', async () => {
    const port = await freePort();
    const addr = { host: '127.0.0.1', port };
    const check = validate(addr, addr, quiet);
    try {
      await check.result;
    } finally {
      check.close();
    }
  });

  it('fails when something else answers', async () => {
    const impostor = await serve((socket) => socket.end(`${'x'.repeat(63)}\n`));
    const check = validate(
      { host: '127.0.0.1', port: await freePort() },
      { host: '127.0.0.1', port: impostor.port },
      quiet,
    );
    try {
      await assert.rejects(check.result, /expected client to receive "[A-Za-z0-9]{63}\\n"; got "x{63}\\n" instead/);
    } finally {
      check.close();
      impostor.server.close();
    }
  });

  it('fails at once when the peer closes early', async () => {
    const impostor = await serve((socket) => socket.end('short'));
    const check = validate(
      { host: '127.0.0.1', port: await freePort() },
      { host: '127.0.0.1', port: impostor.port },
      quiet,
    );
    try {
      await assert.rejects(check.result, /closed after 5 of 64 bytes: got "short"/);
    } finally {
      check.close();
      impostor.server.close();
    }
  });

  it('fails when the listen address is taken', async () => {
    const taken = await serve(() => {});
    const check = validate({ host: '127.0.0.1', port: taken.port }, { host: '127.0.0.1', port: taken.port }, quiet);
    try {
      await assert.rejects(check.result, /failed to bind 127\.0\.0\.1:\d+: .*EADDRINUSE/);
    } finally {
      check.close();
      taken.server.close();
    }
  });
});

function runValidator(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', RUN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LINKERD_NETWORK_VALIDATOR_LOG_LEVEL: '', LINKERD_NETWORK_VALIDATOR_LOG_FORMAT: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('l5d-network-validator as a process', () => {
  it('prints Validated and exits 0 when the connection reaches it', async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    const run = runValidator(['--listen-addr', addr, '--connect-addr', addr]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /INFO linkerd_network_validator: Validated\n$/);
  });

  it('exits 95 when the connection is refused', async () => {
    const run = runValidator([
      '--listen-addr',
      `127.0.0.1:${await freePort()}`,
      '--connect-addr',
      `127.0.0.1:${await freePort()}`,
    ]);
    assert.equal(run.code, 95);
    assert.match(
      run.stdout,
      /ERROR linkerd_network_validator: error=connection to 127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/,
    );
  });

  it('exits 95 at the timeout when the peer never answers', async () => {
    // The kernel completes the handshake with this listener even while spawnSync blocks the loop.
    const silent = await serve(() => {});
    try {
      const run = runValidator([
        '--timeout=300ms',
        '--listen-addr',
        `127.0.0.1:${await freePort()}`,
        '--connect-addr',
        `127.0.0.1:${silent.port}`,
      ]);
      assert.equal(run.code, 95);
      assert.match(
        run.stdout,
        /ERROR linkerd_network_validator: Failed to validate networking configuration timeout=300ms/,
      );
    } finally {
      silent.server.close();
    }
  });

  it('exits 95 on SIGTERM', async () => {
    const silent = await serve(() => {});
    try {
      const args = [
        '--timeout=1m',
        '--listen-addr',
        `127.0.0.1:${await freePort()}`,
        '--connect-addr',
        `127.0.0.1:${silent.port}`,
      ];
      const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...args]);
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('Connecting to') && child.signalCode === null && !child.killed) child.kill('SIGTERM');
      });
      const code = await new Promise((resolve) => child.on('close', resolve));
      assert.equal(code, 95);
      assert.match(stdout, /ERROR linkerd_network_validator: Killed by SIGTERM/);
    } finally {
      silent.server.close();
    }
  });

  it('rejects a bad flag with exit 2 and nothing on stdout', () => {
    const run = runValidator(['--timeout', '10']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^error: invalid value '10' for '--timeout'/);
  });
});
