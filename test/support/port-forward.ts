// `kubectl port-forward` to a pod for a test: resolves once kubectl prints the local port it chose.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { testbedBinDir } from './testbed.js';

export interface PortForward {
  localPort: number;
  close(): void;
}

export function portForward(kubeconfig: string, namespace: string, pod: string, port: number): Promise<PortForward> {
  const child = spawn(
    join(testbedBinDir(), 'kubectl'),
    ['--kubeconfig', kubeconfig, 'port-forward', '-n', namespace, `pod/${pod}`, `:${port}`, '--address', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`port-forward to ${namespace}/${pod}:${port} did not start: ${err}`));
    }, 30_000);
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(b.toString());
      if (!m) return;
      clearTimeout(timer);
      resolve({ localPort: Number(m[1]), close: () => child.kill() });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward exited ${code}: ${err}`));
    });
  });
}
