import type { CertAndKey } from '../certs/identity-ca.js';
import type { WebhookService } from '../certs/webhook-cert.js';

/** A Kubernetes object as emitted: plain JSON-compatible data with `apiVersion`, `kind`, `metadata`. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** Everything a render needs besides the values; no field is read from the clock or the cluster. */
export interface RenderContext {
  namespace: string;
  now: Date;
  /** `linkerd/cli <ver>`; the value of every `linkerd.io/created-by` annotation. */
  createdBy: string;
  /**
   * Serving certificates generated for the webhooks whose `externalSecret` is false and that have no
   * supplied `crtPEM`/`keyPEM` (install.md §5).
   */
  webhookCerts: Partial<Record<WebhookService, CertAndKey>>;
}

/** The rendered control plane: objects in output order and the `### <Title>` banner before each (if any). */
export interface RenderedManifest {
  objects: KubeObject[];
  banners: (string | undefined)[];
}
