#!/usr/bin/env node
// Runs node's built-in test runner over the named suites (folders under test/), TypeScript via tsx.
// Usage: node scripts/run-tests.mjs unit golden integration dataplane
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const suites = process.argv.slice(2);
if (suites.length === 0) {
  console.error('usage: run-tests.mjs SUITE...  (unit, golden, integration, dataplane, node, web)');
  process.exit(2);
}

function findTests(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(findTests(path));
    else if (/\.test\.(ts|mjs|js)$/.test(name)) out.push(path);
  }
  return out;
}

const files = suites.flatMap((s) => findTests(join('test', s)));
if (files.length === 0) {
  console.error(`no test files found for suites: ${suites.join(', ')}`);
  process.exit(1);
}
// Integration, data-plane and node suites share one test bed / host network state: run their files serially.
const serial = suites.some((s) => s === 'integration' || s === 'dataplane' || s === 'node');
const args = ['--import', 'tsx', '--test', '--test-reporter=spec'];
if (serial) args.push('--test-concurrency=1');
const result = spawnSync(process.execPath, [...args, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
