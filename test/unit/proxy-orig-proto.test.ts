import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downgradeRequest, upgradeResponseHeaders } from '../../src/runtime/proxy/http/orig-proto.js';

test('an upgraded request becomes the original HTTP/1 request', () => {
  const d = downgradeRequest({
    ':method': 'POST',
    ':path': '/api/vote?x=1',
    ':scheme': 'http',
    ':authority': 'web.emojivoto.svc.cluster.local:80',
    'l5d-orig-proto': 'HTTP/1.1',
    'content-type': 'application/json',
    te: 'trailers',
  });
  assert.deepEqual(d, {
    method: 'POST',
    path: '/api/vote?x=1',
    headers: { 'content-type': 'application/json', host: 'web.emojivoto.svc.cluster.local:80' },
    version: 'HTTP/1.1',
  });
  const abs = downgradeRequest({
    ':method': 'GET',
    ':path': '/x',
    ':scheme': 'http',
    ':authority': 'a:80',
    'l5d-orig-proto': 'HTTP/1.0; absolute-form',
  });
  assert.equal(abs?.path, 'http://a:80/x');
  assert.equal(abs?.version, 'HTTP/1.0');
  assert.equal(downgradeRequest({ ':method': 'GET', ':path': '/' }), undefined);
  assert.equal(downgradeRequest({ ':method': 'GET', ':path': '/', 'l5d-orig-proto': 'HTTP/2' }), undefined);
});

test('the HTTP/1 response goes back as HTTP/2 marked with l5d-orig-proto', () => {
  assert.deepEqual(
    upgradeResponseHeaders(
      201,
      { 'content-type': 'text/plain', 'transfer-encoding': 'chunked', connection: 'keep-alive' },
      'HTTP/1.1',
    ),
    {
      ':status': 201,
      'content-type': 'text/plain',
      'l5d-orig-proto': 'HTTP/1.1',
    },
  );
});
