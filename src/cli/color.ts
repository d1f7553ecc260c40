import { Chalk, type ChalkInstance } from 'chalk';

/**
 * Colour only when the stream is a TTY and NO_COLOR is unset (https://no-color.org); chalk alone
 * honours neither for a stream it is not told about.
 */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  const enabled = stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
  return new Chalk({ level: enabled ? 1 : 0 });
}
