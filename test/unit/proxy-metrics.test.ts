import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ProxyMetrics,
  classify,
  serverTlsLabels,
  targetLabels,
} from '../../src/runtime/proxy/metrics/proxy-metrics.js';
import { renderLabels } from '../../src/runtime/proxy/metrics/registry.js';

test('request/response families, latency buckets and transport families in Prometheus text', () => {
  const m = new ProxyMetrics('edge-26.11.1', 1700000000);
  const key = renderLabels([
    ['direction', 'inbound'],
    ...targetLabels('10.1.2.3', 8080),
    ...serverTlsLabels({ tls: 'true', clientId: 'web.ns.serviceaccount.identity.linkerd.cluster.local' }),
  ]);
  m.request(key);
  m.response(key, { statusCode: 200, grpcStatus: undefined, error: undefined }, 3.5);
  m.response(key, { statusCode: 503, grpcStatus: undefined, error: undefined }, 120);
  const t = renderLabels([
    ['direction', 'inbound'],
    ['peer', 'src'],
    ...targetLabels('10.1.2.3', 4143),
    ...serverTlsLabels({ tls: 'no_identity', reason: 'no_tls_from_remote' }),
  ]);
  m.tcpOpen(t);
  m.tcpClose(t, 100, 250, 'ECONNRESET');
  m.certificateInstalled(new Date(1_800_000_000_000), new Date(1_700_000_100_000));
  const text = m.render();
  const lbl =
    'direction="inbound",target_addr="10.1.2.3:8080",target_ip="10.1.2.3",target_port="8080",tls="true",client_id="web.ns.serviceaccount.identity.linkerd.cluster.local"';
  assert.ok(text.includes('# TYPE request_total counter'));
  assert.ok(text.includes(`request_total{${lbl}} 1`));
  assert.ok(
    text.includes(`response_total{${lbl},status_code="200",classification="success",grpc_status="",error=""} 1`),
  );
  assert.ok(
    text.includes(`response_total{${lbl},status_code="503",classification="failure",grpc_status="",error=""} 1`),
  );
  assert.ok(text.includes('# TYPE response_latency_ms histogram'));
  assert.ok(text.includes(`response_latency_ms_bucket{${lbl},status_code="200",le="3"} 0`));
  assert.ok(text.includes(`response_latency_ms_bucket{${lbl},status_code="200",le="4"} 1`));
  assert.ok(text.includes(`response_latency_ms_bucket{${lbl},status_code="200",le="50000"} 1`));
  assert.ok(text.includes(`response_latency_ms_bucket{${lbl},status_code="200",le="+Inf"} 1`));
  assert.ok(text.includes(`response_latency_ms_sum{${lbl},status_code="200"} 3.5`));
  const tl =
    'direction="inbound",peer="src",target_addr="10.1.2.3:4143",target_ip="10.1.2.3",target_port="4143",tls="no_identity",no_tls_reason="no_tls_from_remote"';
  assert.ok(text.includes(`tcp_open_total{${tl}} 1`));
  assert.ok(text.includes(`tcp_open_connections{${tl}} 0`));
  assert.ok(text.includes(`tcp_read_bytes_total{${tl}} 100`));
  assert.ok(text.includes(`tcp_write_bytes_total{${tl}} 250`));
  assert.ok(text.includes(`tcp_close_total{${tl},errno="ECONNRESET"} 1`));
  assert.ok(text.includes('identity_cert_expiration_timestamp_seconds 1800000000'));
  assert.ok(text.includes('control_identity_cert_refresh_timestamp_seconds 1700000100'));
  assert.ok(
    text.includes('proxy_build_info{date="",git_sha="",profile="release",vendor="l5d",version="edge-26.11.1"} 1'),
  );
  assert.match(text, /process_resident_memory_bytes \d+/);
  assert.ok(text.includes('process_start_time_seconds 1700000000'));
  assert.ok(text.includes('# TYPE process_cpu_seconds_total counter'));
});

test('classification: 5xx, gRPC failure codes and errors are failures', () => {
  assert.equal(classify({ statusCode: 200, grpcStatus: undefined, error: undefined }), 'success');
  assert.equal(classify({ statusCode: 404, grpcStatus: undefined, error: undefined }), 'success');
  assert.equal(classify({ statusCode: 500, grpcStatus: undefined, error: undefined }), 'failure');
  assert.equal(classify({ statusCode: 200, grpcStatus: 14, error: undefined }), 'failure');
  assert.equal(classify({ statusCode: 200, grpcStatus: 5, error: undefined }), 'success');
  assert.equal(classify({ statusCode: 200, grpcStatus: undefined, error: 'unclassified' }), 'failure');
});

test('label values are escaped', () => {
  assert.equal(renderLabels([['a', 'x"y\\z\nw']]), 'a="x\\"y\\\\z\\nw"');
});
