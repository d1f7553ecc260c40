/**
 * Release-channel versions (`<channel>-<version>[-<hotpatch>]`) and upstream's matching rules for
 * the "up-to-date" checks.
 */
export interface ChannelVersion {
  channel: string;
  version: string;
  hotpatch?: number;
}

export function parseChannelVersion(text: string): ChannelVersion {
  const parts = text.split('-');
  const [channel, version, ...rest] = parts;
  if (channel === undefined || version === undefined || channel === '' || version === '') {
    throw new Error(`unsupported version format: ${text}`);
  }
  const hotpatchPart = rest.find((p) => /^\d+$/.test(p));
  return hotpatchPart === undefined ? { channel, version } : { channel, version, hotpatch: Number(hotpatchPart) };
}

/** `edge`, or `edgeHotpatch` for a hotpatched version: the key a channel map must use. */
export function updateChannelOf(v: ChannelVersion): string {
  return v.hotpatch === undefined ? v.channel : `${v.channel}Hotpatch`;
}

function versionWithHotpatch(v: ChannelVersion): string {
  return v.hotpatch === undefined ? v.version : `${v.version}-${v.hotpatch}`;
}

/** The latest known version per update channel. */
export type Channels = readonly ChannelVersion[];

export function matchVersion(actual: string, channels: Channels): void {
  if (actual === '') throw new Error('actual version is empty');
  if (channels.length === 0) throw new Error('unable to determine version channel');
  let parsed: ChannelVersion;
  try {
    parsed = parseChannelVersion(actual);
  } catch (err) {
    throw new Error(`failed to parse actual version: ${(err as Error).message}`);
  }
  const latest = channels.find((c) => updateChannelOf(c) === updateChannelOf(parsed));
  if (latest === undefined) throw new Error(`unsupported version channel: ${actual}`);
  if (latest.version !== parsed.version || latest.hotpatch !== parsed.hotpatch) {
    throw new Error(
      `is running version ${versionWithHotpatch(parsed)} but the latest ${parsed.channel} version is ${versionWithHotpatch(latest)}`,
    );
  }
}

/** `--expected-version`: a single locally given channel version. */
export function channelsFromExpected(expected: string): Channels {
  if (!expected.includes('-')) throw new Error(`unsupported version format: ${expected}`);
  return [parseChannelVersion(expected)];
}

export const DEFAULT_VERSION_CHECK_URL = 'https://registry.npmjs.org/l5d';
export const VERSION_CHECK_TIMEOUT_MS = 5_000;

/** npm's `YYYY.M.N` package version → l5d's `edge-YY.M.N` release version. */
export function releaseVersionOfNpm(npmVersion: string): string {
  const m = /^20(\d{2})\.(\d+)\.(\d+)$/.exec(npmVersion);
  if (!m) throw new Error(`unexpected versioncheck response: unsupported npm version "${npmVersion}"`);
  return `edge-${m[1]}.${m[2]}.${m[3]}`;
}

export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  statusText: string;
  json(): Promise<unknown>;
}>;

/**
 * Latest l5d release from the npm registry's package document (`dist-tags.latest`). l5d ships on
 * npm, so this replaces Linkerd's versioncheck.linkerd.io lookup; no uuid or other data is sent.
 */
export async function fetchLatestChannels(
  url: string,
  fetchFn: FetchLike,
  signal: AbortSignal,
  timeoutMs = VERSION_CHECK_TIMEOUT_MS,
): Promise<Channels> {
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchFn(url, {
      headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (err) {
    throw new Error(transportErrorText(url, err, timeoutMs));
  }
  if (!res.ok) throw new Error(`unexpected versioncheck response: ${res.status} ${res.statusText}`.trimEnd());
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new Error(`unexpected versioncheck response: ${(err as Error).message}`);
  }
  const latest = (body as { 'dist-tags'?: { latest?: unknown } } | null)?.['dist-tags']?.latest;
  if (typeof latest !== 'string') throw new Error('unexpected versioncheck response: no dist-tags.latest');
  return [parseChannelVersion(releaseVersionOfNpm(latest))];
}

function transportErrorText(url: string, err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.cause?.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `Get "${url}": context deadline exceeded (no answer within ${timeoutMs / 1000}s)`;
  }
  const code = e.cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `failed to resolve version check server: ${url}`;
  return `Get "${url}": ${e.cause?.message ?? e.message ?? String(err)}`;
}
