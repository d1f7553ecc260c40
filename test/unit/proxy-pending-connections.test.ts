import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { PendingConnections } from '../../src/runtime/proxy/net/pending.js';

const socket = (): net.Socket => new net.Socket();

test('connections waiting for identity are bounded; past the bound they are closed', () => {
  const pending = new PendingConnections(3);
  const ran: number[] = [];
  const sockets = [socket(), socket(), socket(), socket()];
  const held = sockets.map((s, i) => pending.hold(s, () => ran.push(i)));
  assert.deepEqual(held, [true, true, true, false]);
  assert.equal(sockets[3]?.destroyed, true);
  assert.equal(pending.size, 3);
  pending.release();
  assert.deepEqual(ran, [0, 1, 2]);
  assert.equal(pending.size, 0);
});

test('clients that gave up free their place and are not run', () => {
  const pending = new PendingConnections(2);
  const ran: string[] = [];
  const [a, b, c] = [socket(), socket(), socket()];
  pending.hold(a, () => ran.push('a'));
  pending.hold(b, () => ran.push('b'));
  a.destroy();
  assert.equal(
    pending.hold(c, () => ran.push('c')),
    true,
  );
  pending.release();
  assert.deepEqual(ran, ['b', 'c']);
});
