#!/usr/bin/env node
// Cold start of `l5d version --client` next to a bare `node -e 0`, measured in the same run.
// Usage: node bench/cli-startup.mjs [runs]   (default 21; prints medians and the ratio)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 21);
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url));

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    samples.push(ms);
  }
  return median(samples);
}

// Interleave the two measurements so machine load affects both alike.
const baseline = [];
const l5d = [];
for (let round = 0; round < 3; round++) {
  baseline.push(time(['-e', '0']));
  l5d.push(time([cli, 'version', '--client']));
}
const base = median(baseline);
const cmd = median(l5d);
console.log(`node -e 0                 median ${base.toFixed(1)} ms`);
console.log(`l5d version --client      median ${cmd.toFixed(1)} ms`);
console.log(`l5d overhead over node    ${(cmd - base).toFixed(1)} ms (ratio ${(cmd / base).toFixed(2)}x)`);
