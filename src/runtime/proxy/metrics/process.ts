// process_* families read from /proc, as the Prometheus process collector defines them.
import { readFileSync, readdirSync } from 'node:fs';
import { Counter, Gauge, type Registry } from './registry.js';

const CLK_TCK = 100;
const PAGE = 4096;

export function registerProcessMetrics(registry: Registry, startTimeSeconds: number): void {
  const cpu = registry.add(
    new Counter('process_cpu_seconds_total', 'Total user and system CPU time spent in seconds.'),
  );
  const start = registry.add(
    new Gauge('process_start_time_seconds', 'Start time of the process since unix epoch in seconds.'),
  );
  const vmem = registry.add(new Gauge('process_virtual_memory_bytes', 'Virtual memory size in bytes.'));
  const rss = registry.add(new Gauge('process_resident_memory_bytes', 'Resident memory size in bytes.'));
  const fds = registry.add(new Gauge('process_open_fds', 'Number of open file descriptors.'));
  const maxFds = registry.add(new Gauge('process_max_fds', 'Maximum number of open file descriptors.'));
  const threads = registry.add(new Gauge('process_threads', 'Number of OS threads in the process.'));
  start.set('', startTimeSeconds);
  registry.onCollect(() => {
    try {
      const stat = readFileSync('/proc/self/stat', 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set('', (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
      threads.set('', Number(fields[17]));
      vmem.set('', Number(fields[20]));
      rss.set('', Number(fields[21]) * PAGE);
      fds.set('', readdirSync('/proc/self/fd').length);
      const limits = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
      if (limits?.[1]) maxFds.set('', Number(limits[1]));
    } catch {
      // not Linux: the families stay empty
    }
  });
}
