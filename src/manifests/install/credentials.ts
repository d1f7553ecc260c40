import { generateIdentityCa, identityCommonName } from '../certs/identity-ca.js';
import { generateWebhookCert, type WebhookService } from '../certs/webhook-cert.js';
import type { CertAndKey } from '../certs/identity-ca.js';
import { requireCompleteCredentials, validateIssuerCredentials } from '../certs/validate.js';
import type { Values } from '../values/types.js';
import { needsGeneratedWebhookCert } from './webhooks.js';

/**
 * Identity credentials per install.md §4: generated (one root used as anchor and issuer) when none is
 * supplied, otherwise all three must be present and pass Linkerd's checks. Returns the completed values.
 */
export async function initializeIssuerCredentials(values: Values, namespace: string, now: Date): Promise<Values> {
  const tls = values.identity.issuer.tls;
  const supplied = {
    trustAnchorsPEM: values.identityTrustAnchorsPEM.trim() ? values.identityTrustAnchorsPEM : '',
    issuerCrtPEM: tls.crtPEM.trim() ? tls.crtPEM : '',
    issuerKeyPEM: tls.keyPEM.trim() ? tls.keyPEM : '',
  };
  if (values.identity.issuer.scheme !== 'linkerd.io/tls') return values;
  if (!supplied.trustAnchorsPEM && !supplied.issuerCrtPEM && !supplied.issuerKeyPEM) {
    const cn = identityCommonName(namespace, values.identityTrustDomain, values.clusterDomain);
    const ca = await generateIdentityCa(cn, now);
    return {
      ...values,
      identityTrustAnchorsPEM: ca.certPEM,
      identity: {
        ...values.identity,
        issuer: { ...values.identity.issuer, tls: { ...tls, crtPEM: ca.certPEM, keyPEM: ca.keyPEM } },
      },
    };
  }
  requireCompleteCredentials(supplied);
  validateIssuerCredentials(
    {
      trustAnchorsPEM: supplied.trustAnchorsPEM,
      issuerCrtPEM: supplied.issuerCrtPEM,
      issuerKeyPEM: supplied.issuerKeyPEM,
    },
    now,
  );
  return values;
}

const WEBHOOK_SERVICES: readonly WebhookService[] = ['proxy-injector', 'sp-validator', 'policy-validator'];

/** Serving certificates for the webhooks the chart would generate one for (install.md §5), in parallel. */
export async function generateWebhookCerts(
  values: Values,
  namespace: string,
  now: Date,
): Promise<Partial<Record<WebhookService, CertAndKey>>> {
  const wanted = WEBHOOK_SERVICES.filter((s) => needsGeneratedWebhookCert(s, values));
  const certs = await Promise.all(wanted.map((s) => generateWebhookCert(s, namespace, now)));
  return Object.fromEntries(wanted.map((s, i) => [s, certs[i]]));
}
