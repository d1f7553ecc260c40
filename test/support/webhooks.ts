// Admission webhooks under test: a loopback serving certificate, and a ValidatingWebhookConfiguration
// that points the test bed's API server at a local process by URL (there is no cluster network to
// route a Service to it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './testbed.js';

/** Writes a self-signed P-256 `tls.crt`/`tls.key` for 127.0.0.1 into `dir`. */
export async function loopbackCertificate(dir: string, commonName: string): Promise<void> {
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'tls.key'),
    '-out',
    join(dir, 'tls.crt'),
  ]);
}

export interface WebhookRule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
}

export function validatingWebhookConfiguration(
  name: string,
  webhook: string,
  port: number,
  certDir: string,
  rules: WebhookRule[],
): unknown {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name },
    webhooks: [
      {
        name: webhook,
        clientConfig: {
          url: `https://127.0.0.1:${port}/`,
          caBundle: readFileSync(join(certDir, 'tls.crt')).toString('base64'),
        },
        rules: rules.map((r) => ({ ...r, operations: ['CREATE', 'UPDATE'] })),
        namespaceSelector: {
          matchExpressions: [{ key: 'config.linkerd.io/admission-webhooks', operator: 'NotIn', values: ['disabled'] }],
        },
        admissionReviewVersions: ['v1', 'v1beta1'],
        sideEffects: 'None',
        timeoutSeconds: 10,
        // Fail (not the chart's Ignore) so an unreachable webhook fails the test instead of
        // silently admitting everything.
        failurePolicy: 'Fail',
      },
    ],
  };
}
