// Command-line flags of proxy-init (spec proxy §8.1), parsed pflag-style:
// `--name value`, `--name=value`, `-x value`, and bare booleans.
export type IptablesMode = 'legacy' | 'nft' | 'plain';

export interface ProxyInitOptions {
  incomingProxyPort: number;
  outgoingProxyPort: number;
  proxyUid: number;
  proxyGid: number;
  portsToRedirect: number[];
  inboundPortsToIgnore: string[];
  outboundPortsToIgnore: string[];
  subnetsToIgnore: string[];
  simulate: boolean;
  netns: string;
  useWaitFlag: boolean;
  timeoutCloseWaitSecs: number;
  logFormat: 'plain' | 'json';
  logLevel: string;
  mode: IptablesMode;
  ipv6: boolean;
}

interface FlagSpec {
  short?: string;
  kind: 'int' | 'intlist' | 'strlist' | 'bool' | 'string';
  key: keyof ProxyInitOptions | 'firewallBinPath' | 'firewallSaveBinPath' | 'iptablesMode';
}

const FLAGS: Record<string, FlagSpec> = {
  'incoming-proxy-port': { short: 'p', kind: 'int', key: 'incomingProxyPort' },
  'outgoing-proxy-port': { short: 'o', kind: 'int', key: 'outgoingProxyPort' },
  'proxy-uid': { short: 'u', kind: 'int', key: 'proxyUid' },
  'proxy-gid': { short: 'g', kind: 'int', key: 'proxyGid' },
  'ports-to-redirect': { short: 'r', kind: 'intlist', key: 'portsToRedirect' },
  'inbound-ports-to-ignore': { kind: 'strlist', key: 'inboundPortsToIgnore' },
  'outbound-ports-to-ignore': { kind: 'strlist', key: 'outboundPortsToIgnore' },
  'subnets-to-ignore': { kind: 'strlist', key: 'subnetsToIgnore' },
  simulate: { kind: 'bool', key: 'simulate' },
  netns: { kind: 'string', key: 'netns' },
  'use-wait-flag': { short: 'w', kind: 'bool', key: 'useWaitFlag' },
  'timeout-close-wait-secs': { kind: 'int', key: 'timeoutCloseWaitSecs' },
  'log-format': { kind: 'string', key: 'logFormat' },
  'log-level': { kind: 'string', key: 'logLevel' },
  'iptables-mode': { kind: 'string', key: 'iptablesMode' },
  ipv6: { kind: 'bool', key: 'ipv6' },
  'firewall-bin-path': { kind: 'string', key: 'firewallBinPath' },
  'firewall-save-bin-path': { kind: 'string', key: 'firewallSaveBinPath' },
};

export class FlagError extends Error {}

function parseInt10(name: string, v: string): number {
  if (!/^-?\d+$/.test(v)) throw new FlagError(`invalid argument "${v}" for "--${name}" flag: parse error`);
  return Number(v);
}

/** The mode selected by the legacy `--firewall-bin-path` flag. */
export function modeFromBinPath(path: string): IptablesMode {
  if (path === '' || path === 'iptables-legacy') return 'legacy';
  if (path === 'iptables-nft') return 'nft';
  if (path === 'iptables') return 'plain';
  throw new FlagError(
    `unsupported firewall binary path ${JSON.stringify(path)}: expected iptables-legacy, iptables-nft or iptables`,
  );
}

export function parseFlags(argv: readonly string[]): ProxyInitOptions {
  const values: Record<string, unknown> = {};
  const byShort = new Map(Object.entries(FLAGS).flatMap(([name, f]) => (f.short ? [[f.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg) ?? /^-([a-z])(?:=?(.+))?$/.exec(arg);
    if (!m || !m[1]) throw new FlagError(`unexpected argument ${JSON.stringify(arg)}`);
    const name = arg.startsWith('--') ? m[1] : byShort.get(m[1]);
    const spec = name ? FLAGS[name] : undefined;
    if (!name || !spec) throw new FlagError(`unknown flag: ${arg.split('=')[0]}`);
    let value = m[2];
    if (spec.kind === 'bool') {
      if (value !== undefined && value !== 'true' && value !== 'false')
        throw new FlagError(`invalid argument "${value}" for "--${name}" flag`);
      values[spec.key] = value !== 'false';
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new FlagError(`flag needs an argument: --${name}`);
    }
    const list = value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (spec.kind === 'int') values[spec.key] = parseInt10(name, value);
    else if (spec.kind === 'intlist')
      values[spec.key] = [...((values[spec.key] as number[]) ?? []), ...list.map((v) => parseInt10(name, v))];
    else if (spec.kind === 'strlist') values[spec.key] = [...((values[spec.key] as string[]) ?? []), ...list];
    else values[spec.key] = value;
  }
  const modeFlag = values['iptablesMode'] as string | undefined;
  if (modeFlag !== undefined && modeFlag !== '' && !['legacy', 'nft', 'plain'].includes(modeFlag)) {
    throw new FlagError(`--iptables-mode must be one of legacy, nft or plain`);
  }
  const mode = modeFlag
    ? (modeFlag as IptablesMode)
    : modeFromBinPath((values['firewallBinPath'] as string | undefined) ?? '');
  if (values['firewallSaveBinPath'] !== undefined)
    modeFromBinPath(String(values['firewallSaveBinPath']).replace(/-save$/, ''));
  const logFormat = (values['logFormat'] as string | undefined) ?? 'plain';
  if (logFormat !== 'plain' && logFormat !== 'json') throw new FlagError('--log-format must be plain or json');
  const opts: ProxyInitOptions = {
    incomingProxyPort: (values['incomingProxyPort'] as number | undefined) ?? -1,
    outgoingProxyPort: (values['outgoingProxyPort'] as number | undefined) ?? -1,
    proxyUid: (values['proxyUid'] as number | undefined) ?? -1,
    proxyGid: (values['proxyGid'] as number | undefined) ?? -1,
    portsToRedirect: (values['portsToRedirect'] as number[] | undefined) ?? [],
    inboundPortsToIgnore: (values['inboundPortsToIgnore'] as string[] | undefined) ?? [],
    outboundPortsToIgnore: (values['outboundPortsToIgnore'] as string[] | undefined) ?? [],
    subnetsToIgnore: (values['subnetsToIgnore'] as string[] | undefined) ?? [],
    simulate: (values['simulate'] as boolean | undefined) ?? false,
    netns: (values['netns'] as string | undefined) ?? '',
    useWaitFlag: (values['useWaitFlag'] as boolean | undefined) ?? false,
    timeoutCloseWaitSecs: (values['timeoutCloseWaitSecs'] as number | undefined) ?? 0,
    logFormat,
    logLevel: (values['logLevel'] as string | undefined) ?? 'info',
    mode,
    ipv6: (values['ipv6'] as boolean | undefined) ?? true,
  };
  for (const [flag, port] of [
    ['--incoming-proxy-port', opts.incomingProxyPort],
    ['--outgoing-proxy-port', opts.outgoingProxyPort],
  ] as const) {
    if (port < 1 || port > 65535) throw new FlagError(`${flag} must be set to a valid port (1-65535), got ${port}`);
  }
  return opts;
}
