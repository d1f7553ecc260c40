// The validator's command line (spec proxy §8.4); log settings fall back to their env variables.
import { isIP } from 'node:net';
import {
  parseArgs,
  parseDurationOption,
  UsageError,
  type Invocation,
  type OptionSpec,
} from '../shared/clap-command-line.js';
import { parseListenAddress } from '../shared/listen.js';
import { parseLogFormat, parseLogLevel, type LogFormat, type Threshold } from './log.js';

export interface SocketAddress {
  host: string;
  port: number;
}

export interface ValidatorOptions {
  logLevel: Threshold;
  logFormat: LogFormat;
  timeoutMs: number;
  listen: SocketAddress;
  connect: SocketAddress;
}

const OPTIONS: OptionSpec[] = [
  { long: 'log-level', value: true },
  { long: 'log-format', value: true },
  { long: 'timeout', value: true },
  { long: 'listen-addr', value: true },
  { long: 'connect-addr', value: true },
  { long: 'help', short: 'h', value: false },
  { long: 'version', short: 'V', value: false },
];

export const VALIDATOR_USAGE = `Validate that a container's networking is setup for the Linkerd proxy

Binds a server on the proxy's outbound port and connects to an address that only works when the
NAT rules redirect it to that server.

Usage: linkerd2-network-validator [OPTIONS]

Options:
      --log-level <LOG_LEVEL>        [env: LINKERD_NETWORK_VALIDATOR_LOG_LEVEL=] [default: info]
      --log-format <LOG_FORMAT>      [env: LINKERD_NETWORK_VALIDATOR_LOG_FORMAT=] [default: plain]
      --timeout <TIMEOUT>            [default: 10s]
      --listen-addr <LISTEN_ADDR>    Address to which connections are supposed to be redirected by the operating system [default: 0.0.0.0:4140]
      --connect-addr <CONNECT_ADDR>  Address to which the client will attempt to connect [default: 192.0.2.2:1404]
  -h, --help                         Print help
  -V, --version                      Print version
`;

export function parseValidatorArgs(argv: readonly string[], env: NodeJS.ProcessEnv): Invocation<ValidatorOptions> {
  const { options, positionals } = parseArgs(argv, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' found`);
  if (options.has('help')) return { kind: 'help' };
  if (options.has('version')) return { kind: 'version' };
  const value = (name: string, envName: string | undefined, fallback: string): string => {
    const given = options.get(name);
    if (typeof given === 'string') return given;
    const fromEnv = envName === undefined ? undefined : env[envName];
    return fromEnv !== undefined && fromEnv !== '' ? fromEnv : fallback;
  };
  return {
    kind: 'run',
    options: {
      logLevel: parseLogLevel(value('log-level', 'LINKERD_NETWORK_VALIDATOR_LOG_LEVEL', 'info')),
      logFormat: parseLogFormat(value('log-format', 'LINKERD_NETWORK_VALIDATOR_LOG_FORMAT', 'plain')),
      timeoutMs: parseDurationOption('timeout', value('timeout', undefined, '10s')),
      listen: parseSocketAddress('listen-addr', value('listen-addr', undefined, '0.0.0.0:4140')),
      connect: parseSocketAddress('connect-addr', value('connect-addr', undefined, '192.0.2.2:1404')),
    },
  };
}

/** `1.2.3.4:80` or `[::1]:80`: an IP literal, as Rust's `SocketAddr` requires (no host names). */
export function parseSocketAddress(name: string, raw: string): SocketAddress {
  const invalid = new UsageError(
    `invalid value '${raw}' for '--${name}': expected IP:PORT, e.g. 0.0.0.0:4140 or [::]:4140`,
  );
  let parsed;
  try {
    parsed = parseListenAddress(raw);
  } catch {
    throw invalid;
  }
  const family = isIP(parsed.host);
  const bracketed = raw.startsWith('[');
  if (family === 0 || (family === 6) !== bracketed) throw invalid;
  return parsed;
}
