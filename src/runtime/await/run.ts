// Process entry of linkerd-await.
import { constants } from 'node:os';
import { main } from './main.js';

const exit = await main();
if (typeof exit === 'number') {
  process.exitCode = exit;
} else {
  // Die of the same signal as the command, so callers see what they would have seen after an exec;
  // the shell convention 128+n is the fallback for signals whose default action is not to terminate.
  process.exitCode = 128 + (constants.signals[exit] ?? 0);
  if (exit !== 'SIGUSR1') process.kill(process.pid, exit);
}
