// The quick start's look at the control plane from a workload's side, with the same clients the
// l5d proxy uses (src/runtime/clients):
//
//   demo-client.ts certify --addr HOST:PORT --identity NAME --token-file F --trust-anchors F
//       generates a key and CSR, calls Identity.Certify with the ServiceAccount token, verifies the
//       returned chain against the trust anchors and prints the certificate
//   demo-client.ts watch --addr HOST:PORT --authority NAME:PORT --context JSON --expect N
//                  [--ready-file F] [--timeout-seconds S]
//       calls Destination.Get, prints the endpoints, touches F once they are printed, then prints
//       every change until the authority has N endpoints (exit 0) or the timeout passes (exit 1)
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Endpoint } from '../../src/runtime/clients/destination-client.js';
import { DestinationClient } from '../../src/runtime/clients/destination-client.js';
import { IdentityClient, generateKeyAndCsr } from '../../src/runtime/clients/identity-client.js';
import { GrpcChannel } from '../../src/runtime/clients/grpc-channel.js';
import { sanExtension, x509 } from '../../src/runtime/identity/x509.js';

const USAGE =
  'usage: demo-client.ts certify --addr A --identity N --token-file F --trust-anchors F\n' +
  '       demo-client.ts watch --addr A --authority N:P --context JSON --expect N [--ready-file F] [--timeout-seconds S]';

const OPTIONS = {
  addr: { type: 'string' },
  identity: { type: 'string' },
  'token-file': { type: 'string' },
  'trust-anchors': { type: 'string' },
  authority: { type: 'string' },
  context: { type: 'string' },
  expect: { type: 'string' },
  'ready-file': { type: 'string' },
  'timeout-seconds': { type: 'string', default: '30' },
} as const;

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function required(values: Options, name: keyof Options): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new Error(`missing --${name}\n${USAGE}`);
  return v;
}

function lifetime(from: Date, to: Date): string {
  const minutes = Math.round((to.getTime() - from.getTime()) / 60_000);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

async function certify(values: Options): Promise<void> {
  const identity = required(values, 'identity');
  const addr = required(values, 'addr');
  const client = new IdentityClient({
    channel: new GrpcChannel({ address: addr }),
    identity,
    tokenFile: required(values, 'token-file'),
    key: await generateKeyAndCsr(identity),
    trustAnchorsPem: await readFile(required(values, 'trust-anchors'), 'utf8'),
  });
  const cert = await client.certify();
  const leaf = new x509.X509Certificate(cert.leafPem);
  const sans = sanExtension(leaf)?.names.items.map((n) => `${n.type.toUpperCase()}:${n.value}`) ?? [];
  const intermediates = (cert.certChainPem.match(/BEGIN CERTIFICATE/g)?.length ?? 1) - 1;
  process.stdout.write(
    [
      `Identity.Certify(${identity}) at ${addr}:`,
      `  subject:  ${leaf.subject}`,
      `  SAN:      ${sans.join(', ')}`,
      `  issuer:   ${leaf.issuer}`,
      `  valid:    ${leaf.notBefore.toISOString()} .. ${leaf.notAfter.toISOString()} (${lifetime(leaf.notBefore, leaf.notAfter)})`,
      `  chain:    verified against the trust anchors (${intermediates} intermediate${intermediates === 1 ? '' : 's'})`,
      '',
    ].join('\n'),
  );
}

function describeEndpoint(e: Endpoint): string {
  const strategy = e.addr.tlsIdentity?.strategy;
  const identity = strategy?.case === 'dnsLikeIdentity' ? strategy.value.name : '(none: not meshed)';
  const hint = e.addr.protocolHint;
  const protocol = hint?.protocol.case ?? 'none';
  const inbound = hint?.opaqueTransport?.inboundPort;
  return [
    `  ${e.address}`,
    `pod=${e.labels.pod ?? '?'}`,
    `tls-identity=${identity}`,
    `protocol-hint=${protocol}${inbound === undefined ? '' : ` (proxy inbound port ${inbound})`}`,
  ].join('  ');
}

async function watch(values: Options): Promise<void> {
  const authority = required(values, 'authority');
  const addr = required(values, 'addr');
  const expected = Number(required(values, 'expect'));
  const timeoutMs = Number(values['timeout-seconds']) * 1000;
  const client = new DestinationClient({
    channel: new GrpcChannel({ address: addr }),
    contextToken: required(values, 'context'),
  });
  const endpoints = client.resolve(authority);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out after ${timeoutMs / 1000}s waiting for ${expected} endpoints of ${authority}`)),
        timeoutMs,
      );
      let seen = new Set<string>();
      let first = true;
      endpoints.on('error', (err, terminal) => {
        if (terminal) reject(err);
      });
      endpoints.on('update', (state) => {
        const now = new Set(state.keys());
        if (first) {
          process.stdout.write(`Destination.Get(${authority}) at ${addr}: ${state.size} endpoint(s)\n`);
          for (const e of state.values()) process.stdout.write(`${describeEndpoint(e)}\n`);
          first = false;
          const readyFile = values['ready-file'];
          if (readyFile !== undefined) void writeFile(readyFile, 'ready\n');
        } else {
          for (const key of now) {
            const e = state.get(key);
            if (!seen.has(key) && e !== undefined)
              process.stdout.write(`update: added ${describeEndpoint(e).trim()}\n`);
          }
          for (const key of seen) if (!now.has(key)) process.stdout.write(`update: removed ${key}\n`);
        }
        seen = now;
        if (state.size === expected) {
          process.stdout.write(`${authority} now has ${state.size} endpoint(s)\n`);
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } finally {
    client.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  switch (positionals[0]) {
    case 'certify':
      return certify(values);
    case 'watch':
      return watch(values);
    default:
      throw new Error(USAGE);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo-client: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
