// Bounded load generator run inside a pod's namespace. argv[2] = JSON:
// {mode:'http', url, concurrency, durationMs, maxRequests} → {requests, errors, rps, p50Us, p99Us}
// {mode:'tcp', host, port, megabytes} → {bytes, seconds, gbitPerSec}
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';

const cmd = JSON.parse(process.argv[2]);
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');

async function httpLoad() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: cmd.concurrency });
  const latencies = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + cmd.durationMs;
  const one = () =>
    new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.get(cmd.url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - t0);
          else errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const worker = async () => {
    while (performance.now() < deadline && latencies.length + errors < cmd.maxRequests) await one();
  };
  await Promise.all(Array.from({ length: cmd.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p) =>
    Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 1000);
  agent.destroy();
  print({
    requests: latencies.length,
    errors,
    rps: Math.round(latencies.length / seconds),
    p50Us: q(0.5),
    p99Us: q(0.99),
  });
}

function tcpLoad() {
  const total = cmd.megabytes * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 120);
  const s = net.connect({ host: cmd.host, port: cmd.port });
  const started = performance.now();
  let sent = 0;
  let answer = '';
  const pump = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!s.write(chunk)) return void s.once('drain', pump);
    }
    s.end();
  };
  s.on('connect', pump);
  s.on('data', (d) => (answer += d));
  s.on('end', () => {
    const seconds = (performance.now() - started) / 1000;
    const bytes = Number(answer.trim());
    print({ bytes, seconds: Number(seconds.toFixed(3)), gbitPerSec: Number(((bytes * 8) / seconds / 1e9).toFixed(2)) });
  });
  s.on('error', (e) => print({ error: e.message }));
}

if (cmd.mode === 'http') await httpLoad();
else tcpLoad();
