import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProxyError, synthesizeError } from '../../src/runtime/proxy/protocol/errors.js';

test('HTTP error responses carry the spec status, l5d-proxy-error and close semantics', () => {
  const http = { grpc: false, informational: true, http1: true };
  assert.deepEqual(synthesizeError(new ProxyError('failfast', 'logical service web:80: service in fail-fast'), http), {
    status: 504,
    headers: {
      'content-length': '0',
      'l5d-proxy-error': 'logical service web:80: service in fail-fast',
      'l5d-proxy-connection': 'close',
      connection: 'close',
    },
    close: true,
  });
  assert.equal(synthesizeError(new ProxyError('loadshed', 'x'), http).status, 503);
  assert.equal(synthesizeError(new ProxyError('io', 'x'), http).status, 502);
  assert.equal(synthesizeError(new ProxyError('identity_required', 'x'), http).status, 502);
  assert.equal(synthesizeError(new ProxyError('connect_timeout', 'x'), http).status, 504);
  const notFound = synthesizeError(new ProxyError('no_route', 'no route'), http);
  assert.deepEqual(notFound, {
    status: 404,
    headers: { 'content-length': '0', 'l5d-proxy-error': 'no route' },
    close: false,
  });
  assert.equal(synthesizeError(new ProxyError('unauthorized', 'x'), http).status, 403);
  assert.equal(synthesizeError(new ProxyError('unexpected', 'x'), http).status, 500);
});

test('gRPC errors are HTTP 200 with grpc-status; informational headers can be disabled', () => {
  const r = synthesizeError(new ProxyError('failfast', 'ff'), { grpc: true, informational: true, http1: false });
  assert.deepEqual(r, {
    status: 200,
    headers: {
      'content-length': '0',
      'content-type': 'application/grpc',
      'grpc-status': '4',
      'grpc-message': 'ff',
      'l5d-proxy-error': 'ff',
      'l5d-proxy-connection': 'close',
    },
    close: true,
  });
  const quiet = synthesizeError(new ProxyError('io', 'boom\nnewline'), {
    grpc: true,
    informational: false,
    http1: false,
  });
  assert.deepEqual(quiet.headers, { 'content-length': '0', 'content-type': 'application/grpc', 'grpc-status': '14' });
  const h2 = synthesizeError(new ProxyError('io', 'a\nb'), { grpc: false, informational: true, http1: false });
  assert.equal(h2.headers['connection'], undefined, 'no connection header on HTTP/2');
  assert.equal(h2.headers['l5d-proxy-error'], 'a b', 'control characters are not sent in headers');
});
