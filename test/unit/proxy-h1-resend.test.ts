// Which failed HTTP/1 exchanges the outbound proxy may send again to another endpoint.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { DialAgent } from '../../src/runtime/proxy/http/dial-agent.js';
import { ConnectionLostError, NotSentError, mayResend, sendH1, toProxyError } from '../../src/runtime/proxy/http/h1.js';
import { ProxyError } from '../../src/runtime/proxy/protocol/errors.js';
import { trackEstablished } from '../../src/runtime/proxy/net/established.js';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
}

/** Sends a bodiless GET as the outbound proxy does and returns the rejection (or the status). */
async function exchange(port: number): Promise<unknown> {
  const agent = new DialAgent(() => trackEstablished(net.connect({ host: '127.0.0.1', port }), 'connect'));
  // sendH1 reads only the method and URL of a bodiless request.
  const req = { method: 'GET', url: '/', headers: {} } as unknown as http.IncomingMessage;
  try {
    const res = await sendH1(req, agent, '127.0.0.1', port, { host: 'web' }, true);
    res.resume();
    return res.statusCode;
  } catch (err) {
    return err;
  } finally {
    agent.destroy();
  }
}

describe('HTTP/1 resend after a failed exchange', () => {
  // Reads the request, then dies without answering (a peer proxy killed mid-request).
  const dying = net.createServer((s) => s.once('data', () => s.resetAndDestroy()));
  const answering = http.createServer((_req, res) => res.end('ok'));
  let dyingPort = 0;
  let answeringPort = 0;
  let closedPort = 0;

  before(async () => {
    dyingPort = await listen(dying);
    answeringPort = await listen(answering);
    const probe = net.createServer();
    closedPort = await listen(probe);
    await new Promise((r) => probe.close(r));
  });
  after(() => {
    dying.close();
    answering.close();
  });

  it('marks a connection lost after the request was sent, and resends only idempotent bodiless requests', async () => {
    const err = await exchange(dyingPort);
    assert.ok(err instanceof ConnectionLostError, String(err));
    assert.equal(err.kind, 'io');
    assert.equal(mayResend(err, 'GET', true), true);
    assert.equal(mayResend(err, 'DELETE', true), true);
    assert.equal(mayResend(err, 'POST', true), false);
    assert.equal(mayResend(err, 'GET', false), false);
  });

  it('resends any bodiless request that was never sent', async () => {
    const err = await exchange(closedPort);
    assert.ok(err instanceof NotSentError, String(err));
    assert.equal(mayResend(err, 'POST', true), true);
    assert.equal(mayResend(err, 'POST', false), false);
  });

  it('does not resend other failures', () => {
    assert.equal(mayResend(new ProxyError('io', 'parse error'), 'GET', true), false);
    const parseError = Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_CONSTANT' });
    assert.equal(mayResend(toProxyError(parseError, true), 'GET', true), false);
  });

  it('completes an answered exchange', async () => {
    assert.equal(await exchange(answeringPort), 200);
  });
});
