import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

// Runs the policy in a child, so the test runner's own handlers do not hide what the process does.
function run(script: string): { status: number | null; stdout: string; stderr: string } {
  const prelude = `
    import { keepServingOnUnexpectedErrors } from './src/runtime/shared/process.ts';
    import { createLogger } from './src/runtime/shared/log.ts';
    const log = createLogger({ component: 'test', level: 'info', format: 'plain' });
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', prelude + script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('unexpected errors are logged and the process keeps serving', () => {
  const r = run(`
    keepServingOnUnexpectedErrors(log);
    void Promise.reject(new Error('rejected on purpose'));
    setTimeout(() => { throw new TypeError('thrown on purpose'); }, 10);
    setTimeout(() => { process.stdout.write('still serving'); }, 100);
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'still serving');
  assert.match(r.stderr, /unhandled promise rejection; still serving.*rejected on purpose/s);
  assert.match(r.stderr, /uncaught exception; still serving.*thrown on purpose/s);
});

test('a burst of uncaught exceptions exits 1', () => {
  const r = run(`
    keepServingOnUnexpectedErrors(log, { maxUncaught: 2 });
    for (let i = 0; i < 3; i++) setTimeout(() => { throw new Error('again ' + i); }, 10 * i);
    setTimeout(() => { process.stdout.write('still serving'); }, 200);
  `);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /3 uncaught exceptions within 60000 ms; exiting/);
});
