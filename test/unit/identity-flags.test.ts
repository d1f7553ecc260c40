import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function identity(...args: string[]): { status: number | null; stderr: string } {
  const script = `import { main } from './src/runtime/identity/main.ts'; await main(${JSON.stringify(args)});`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stderr: r.stderr };
}

test('the identity controller refuses negative or absurd issuance timing before serving', () => {
  const common = ['-admin-addr=127.0.0.1:0', '-addr=127.0.0.1:0', '-trust-anchors=/nonexistent'];
  const negative = identity(...common, '-identity-issuance-lifetime=-1h');
  assert.equal(negative.status, 1, negative.stderr);
  assert.match(negative.stderr, /identity issuance lifetime must be between 1s and 8760h0m0s, got -1h0m0s/);
  const skew = identity(...common, '-identity-clock-skew-allowance=-5s');
  assert.equal(skew.status, 1, skew.stderr);
  assert.match(skew.stderr, /identity clock skew allowance must be between 0s and 24h0m0s, got -5s/);
});
