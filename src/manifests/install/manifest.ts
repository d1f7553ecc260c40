import { defaultValues } from '../values/defaults.js';
import { diffValues } from '../values/diff.js';
import type { Values, ValuesTree } from '../values/types.js';
import type { RenderedManifest } from './context.js';
import { overridesSecret } from './config.js';
import { generateWebhookCerts, initializeIssuerCredentials } from './credentials.js';
import { renderControlPlane } from './render.js';
import { validateInstallValues } from './validate-values.js';

export interface InstallRenderOptions {
  namespace: string;
  now: Date;
  createdBy: string;
}

/**
 * Steps 8–9 of install.md §3.1 on final values: credentials, validation, the chart objects and the
 * `linkerd-config-overrides` Secret (a tree diff against the chart defaults, private keys included).
 */
export async function renderInstallManifest(values: Values, opts: InstallRenderOptions): Promise<RenderedManifest> {
  const withCredentials = await initializeIssuerCredentials(values, opts.namespace, opts.now);
  validateInstallValues(withCredentials);
  const webhookCerts = await generateWebhookCerts(withCredentials, opts.namespace, opts.now);
  const ctx = { namespace: opts.namespace, now: opts.now, createdBy: opts.createdBy, webhookCerts };
  const rendered = renderControlPlane(withCredentials, ctx);
  const overrides = diffValues(defaultValues() as ValuesTree, withCredentials as ValuesTree);
  return {
    objects: [...rendered.objects, overridesSecret(overrides, ctx)],
    banners: [...rendered.banners, undefined],
  };
}
