import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  isIpLiteral,
  parseContextToken,
  parseHostPort,
  parseServiceName,
} from '../../src/runtime/destination/authority.js';
import { parseHttp2Params } from '../../src/runtime/destination/http2-params.js';
import { ipToProto, tcpAddress, tcpAddressToString } from '../../src/runtime/destination/net.js';
import { parsePortList, portOfAddr } from '../../src/runtime/destination/ports.js';
import { quantityMilli } from '../../src/runtime/destination/quantity.js';
import { parseGoDuration, formatGoDuration } from '../../src/util/go-duration.js';
import { FlagError, flag, parseGoFlags } from '../../src/runtime/shared/flags.js';
import { UpdateSchema } from '../../src/proto/gen/destination_pb.js';
import { CertifyRequestSchema } from '../../src/proto/gen/identity_pb.js';

describe('authority parsing', () => {
  test('host and port', () => {
    assert.deepEqual(parseHostPort('web-svc.emojivoto.svc.cluster.local:80'), {
      host: 'web-svc.emojivoto.svc.cluster.local',
      port: 80,
    });
    assert.deepEqual(parseHostPort('web'), { host: 'web', port: 80 });
    assert.deepEqual(parseHostPort('[fd00::1]:8080'), { host: 'fd00::1', port: 8080 });
    for (const bad of ['a:0', 'a:65536', 'a:x', 'a:1:2', 'fd00::1']) assert.throws(() => parseHostPort(bad), bad);
    assert.equal(isIpLiteral('10.1.2.3'), true);
    assert.equal(isIpLiteral('fd00::1'), true);
    assert.equal(isIpLiteral('web'), false);
  });

  test('service names', () => {
    assert.deepEqual(parseServiceName('web-svc.emojivoto.svc.cluster.local', 'cluster.local'), {
      name: 'web-svc',
      namespace: 'emojivoto',
    });
    assert.deepEqual(parseServiceName('web-0.web.emojivoto.svc.example.org', 'example.org'), {
      instance: 'web-0',
      name: 'web',
      namespace: 'emojivoto',
    });
    for (const bad of [
      'web-svc.emojivoto.svc.cluster.local.',
      'web-svc.emojivoto',
      'web-svc.emojivoto.svc',
      'web-svc.svc.cluster.local',
      'a.b.c.d.svc.cluster.local',
      'web.emojivoto.svc.other.domain',
      '.emojivoto.svc.cluster.local',
    ]) {
      assert.throws(() => parseServiceName(bad, 'cluster.local'), bad);
    }
  });

  test('context tokens', () => {
    assert.deepEqual(parseContextToken('{"ns":"emojivoto", "nodeName":"n1", "pod":"web-0"}'), {
      ns: 'emojivoto',
      nodeName: 'n1',
      pod: 'web-0',
    });
    const warnings: string[] = [];
    assert.deepEqual(
      parseContextToken('ns:legacy', (m) => warnings.push(m)),
      { ns: 'legacy' },
    );
    assert.deepEqual(
      parseContextToken('junk', (m) => warnings.push(m)),
      {},
    );
    assert.equal(warnings.length, 2);
    assert.deepEqual(parseContextToken(''), {});
  });
});

describe('port lists', () => {
  test('ports, ranges, names, junk', () => {
    const warnings: string[] = [];
    const ports = parsePortList(
      '25, 587,3306-3308,,http, bogus,70000,9-3,',
      (n) => (n === 'http' ? [8080] : []),
      (m) => warnings.push(m),
    );
    assert.deepEqual(
      [...ports].sort((a, b) => a - b),
      [25, 587, 3306, 3307, 3308, 8080],
    );
    assert.equal(warnings.length, 3);
    assert.deepEqual([...parsePortList('')], []);
  });

  test('listen address ports', () => {
    assert.equal(portOfAddr('0.0.0.0:4143'), 4143);
    assert.equal(portOfAddr('[::]:4191'), 4191);
    assert.equal(portOfAddr('nope'), undefined);
  });
});

describe('net encoding', () => {
  test('IPv4 is a big-endian u32', () => {
    assert.deepEqual(ipToProto('10.1.2.3'), { case: 'ipv4', value: 0x0a010203 });
    assert.deepEqual(ipToProto('255.255.255.255'), { case: 'ipv4', value: 0xffffffff });
  });

  test('IPv6 halves', () => {
    const v = ipToProto('fd00::1:2');
    assert.equal(v.case, 'ipv6');
    if (v.case === 'ipv6') {
      assert.equal(v.value.first, 0xfd00000000000000n);
      assert.equal(v.value.last, 0x0000000000010002n);
    }
    const mapped = ipToProto('::ffff:10.0.0.1');
    assert.equal(mapped.case === 'ipv6' ? mapped.value.last : 0n, 0x0000ffff0a000001n);
  });

  test('round trips through the wire format', () => {
    for (const [ip, port] of [
      ['10.42.0.7', 8080],
      ['fd00::1', 443],
      ['2001:db8:0:1:0:0:0:1', 80],
    ] as const) {
      const bytes = toBinary(
        UpdateSchema,
        create(UpdateSchema, { update: { case: 'remove', value: { addrs: [tcpAddress(ip, port)] } } }),
      );
      const back = fromBinary(UpdateSchema, bytes);
      assert.equal(back.update.case, 'remove');
      const addr = back.update.case === 'remove' ? back.update.value.addrs[0] : undefined;
      const expected = ip.includes(':')
        ? `[${ip === '2001:db8:0:1:0:0:0:1' ? '2001:db8:0:1::1' : ip}]:${port}`
        : `${ip}:${port}`;
      assert.equal(tcpAddressToString(addr), expected);
    }
  });

  test('field numbers match linkerd2-proxy-api', () => {
    // CertifyRequest{identity=1 "a", token=2 "b", csr=3 0x01}
    const bytes = toBinary(
      CertifyRequestSchema,
      create(CertifyRequestSchema, {
        identity: 'a',
        token: Buffer.from('b'),
        certificateSigningRequest: new Uint8Array([1]),
      }),
    );
    assert.deepEqual([...bytes], [0x0a, 1, 0x61, 0x12, 1, 0x62, 0x1a, 1, 1]);
    // Update.remove (2) → AddrSet.addrs (1) → TcpAddress{ip (1) → IPAddress.ipv4 (1, fixed32), port (2)}
    const upd = toBinary(
      UpdateSchema,
      create(UpdateSchema, { update: { case: 'remove', value: { addrs: [tcpAddress('1.2.3.4', 80)] } } }),
    );
    assert.deepEqual([...upd], [0x12, 11, 0x0a, 9, 0x0a, 5, 0x0d, 4, 3, 2, 1, 0x10, 80]);
  });
});

describe('Go-style values', () => {
  test('durations', () => {
    assert.equal(parseGoDuration('24h0m0s'), 86_400_000);
    assert.equal(parseGoDuration('1h30m'), 5_400_000);
    assert.equal(parseGoDuration('1.5s'), 1500);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.equal(parseGoDuration('0'), 0);
    assert.throws(() => parseGoDuration('10'), /invalid duration/);
    assert.throws(() => parseGoDuration('abc'), /invalid duration/);
    assert.equal(formatGoDuration(86_420_000), '24h0m20s');
    assert.equal(formatGoDuration(20_000), '20s');
  });

  test('flags', () => {
    const defs = {
      'log-level': flag('string', 'info', ''),
      'enable-h2-upgrade': flag('bool', true, ''),
      addr: flag('string', ':8086', ''),
      'stream-queue-capacity': flag('int', 100, ''),
    };
    const parsed = parseGoFlags(
      ['-log-level=debug', '--addr', '127.0.0.1:1', '-enable-h2-upgrade=false', '-stream-queue-capacity', '5', 'rest'],
      defs,
    );
    assert.deepEqual(parsed.values, {
      'log-level': 'debug',
      'enable-h2-upgrade': false,
      addr: '127.0.0.1:1',
      'stream-queue-capacity': 5,
    });
    assert.deepEqual(parsed.rest, ['rest']);
    assert.equal(parseGoFlags(['-enable-h2-upgrade'], defs).values['enable-h2-upgrade'], true);
    assert.throws(
      () => parseGoFlags(['-nope=1'], defs),
      (e) => e instanceof FlagError && e.message === 'flag provided but not defined: -nope',
    );
    assert.throws(() => parseGoFlags(['-stream-queue-capacity=x'], defs), FlagError);
    assert.throws(() => parseGoFlags(['-addr'], defs), /flag needs an argument: -addr/);
  });

  test('quantities', () => {
    assert.equal(quantityMilli('1') * 10, 10_000);
    assert.equal(quantityMilli('500m') * 10, 5000);
    assert.equal(quantityMilli('0.25') * 10, 2500);
    assert.equal(quantityMilli(2), 2000);
    assert.throws(() => quantityMilli('x'));
  });

  test('meshed HTTP/2 params JSON', () => {
    const p = parseHttp2Params('{"keep_alive":{"interval":{"seconds":10},"timeout":{"seconds":3},"while_idle":true}}');
    assert.equal(p?.keepAlive?.interval?.seconds, 10n);
    assert.equal(p?.keepAlive?.timeout?.seconds, 3n);
    assert.equal(p?.keepAlive?.whileIdle, true);
    assert.equal(parseHttp2Params(''), undefined);
    assert.throws(() => parseHttp2Params('{"bogus":1}'));
  });
});
