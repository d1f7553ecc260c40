// What a stopped test bed node could leave on the host, as testbed/node/down-node.sh must undo it:
// processes naming its directory, pod network namespaces, the bridge, iptables chains, mounts and
// pod cgroups. An empty list means the host is as it was.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BRIDGE = 'l5d0';
const CGROUP_ROOT = '/sys/fs/cgroup';

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function processesNaming(dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(dir) && Number(pid) !== process.pid) out.push(`process ${pid}: ${cmd.slice(0, 120)}`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Every pid in the node's pod cgroups (all controllers' `kubepods` trees). */
export function podProcesses(): number[] {
  const pids = new Set<number>();
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === 'cgroup.procs') {
        for (const l of readFileSync(join(d, e.name), 'utf8').split('\n')) if (l !== '') pids.add(Number(l));
      }
    }
  };
  walk(join(CGROUP_ROOT, 'pids', 'kubepods'));
  return [...pids];
}

export async function nodeLeftovers(dir: string): Promise<string[]> {
  const left = processesNaming(dir);
  left.push(...podProcesses().map((p) => `pod process ${p}`));
  if (existsSync('/run/netns')) {
    left.push(
      ...readdirSync('/run/netns')
        .filter((n) => n.startsWith('cni-'))
        .map((n) => `netns ${n}`),
    );
  }
  if (sh('ip', ['-br', 'link', 'show', BRIDGE]).trim() !== '') left.push(`bridge ${BRIDGE}`);
  for (const ipt of ['iptables', 'ip6tables']) {
    for (const table of ['filter', 'nat', 'mangle']) {
      for (const line of sh(ipt, ['-w', '-t', table, '-S']).split('\n')) {
        if (/^-N (KUBE-|CNI-|L5D-NODE)/.test(line)) left.push(`${ipt} ${table}: ${line}`);
      }
    }
  }
  left.push(
    ...sh('findmnt', ['-rn', '-o', 'TARGET'])
      .split('\n')
      .filter((m) => m.includes(dir))
      .map((m) => `mount ${m}`),
  );
  for (const ctrl of readdirSync(CGROUP_ROOT)) {
    if (existsSync(join(CGROUP_ROOT, ctrl, 'kubepods'))) left.push(`cgroup ${ctrl}/kubepods`);
  }
  if (existsSync(dir)) left.push(`directory ${dir}`);
  return left;
}
