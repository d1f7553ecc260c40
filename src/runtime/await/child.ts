// Runs the wrapped command the way an exec would look from outside: same stdio, signals sent to
// this process reach the command, and the command's exit status is reported back.
import { spawn } from 'node:child_process';

export type ChildOutcome =
  { kind: 'exited'; code: number } | { kind: 'signaled'; signal: NodeJS.Signals } | { kind: 'failed'; message: string };

const FORWARDED: readonly NodeJS.Signals[] = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
];

export function runCommand(file: string, args: readonly string[]): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    const done = (outcome: ChildOutcome): void => {
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve(outcome);
    };
    child.once('error', (err) => done({ kind: 'failed', message: `${file}: ${err.message}` }));
    child.once('exit', (code, signal) =>
      done(signal !== null ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 0 }),
    );
  });
}
