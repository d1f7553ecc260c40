import { controlPlaneProxy } from './categories/control-plane-proxy.js';
import { controlPlaneVersion } from './categories/control-plane-version.js';
import { linkerdDataPlane, linkerdIdentityDataPlane } from './categories/data-plane.js';
import { gatewayApiCrd } from './categories/gateway-api.js';
import { kubernetesApi, kubernetesVersion } from './categories/kubernetes.js';
import { linkerdCniPlugin } from './categories/linkerd-cni-plugin.js';
import { linkerdConfigCategory } from './categories/linkerd-config.js';
import { linkerdCrd } from './categories/linkerd-crd.js';
import { linkerdExistence } from './categories/linkerd-existence.js';
import { linkerdExtensionChecks } from './categories/linkerd-extension-checks.js';
import { linkerdHa } from './categories/linkerd-ha.js';
import { linkerdIdentity } from './categories/linkerd-identity.js';
import { linkerdVersion } from './categories/linkerd-version.js';
import { linkerdWebhooks } from './categories/linkerd-webhooks.js';
import { preKubernetesSetup } from './categories/pre-kubernetes-setup.js';
import type { CheckContext } from './context.js';
import { CATEGORY_ORDER, type Category, type CategoryId } from './model.js';

/** `pre` (--pre), `crds` (--crds), `proxy` (--proxy) and `control-plane` (no mode flag). */
export type CheckMode = 'pre' | 'crds' | 'proxy' | 'control-plane';

/** Categories every mode runs. */
function basics(ctx: CheckContext): Partial<Record<CategoryId, Category>> {
  return {
    'kubernetes-api': kubernetesApi(ctx),
    'kubernetes-version': kubernetesVersion(ctx),
    'gateway-api-crd': gatewayApiCrd(ctx),
    'linkerd-version': linkerdVersion(ctx),
  };
}

/** Categories shared by the default and `--proxy` modes (they need an installed control plane). */
function controlPlane(ctx: CheckContext): Partial<Record<CategoryId, Category>> {
  return {
    ...basics(ctx),
    'linkerd-existence': linkerdExistence(ctx),
    'linkerd-config': linkerdConfigCategory(ctx),
    'linkerd-cni-plugin': linkerdCniPlugin(ctx, async () => (await ctx.linkerdConfig()).values.cniEnabled === true),
    'linkerd-identity': linkerdIdentity(ctx),
    'linkerd-webhooks-and-apisvc-tls': linkerdWebhooks(ctx),
    'linkerd-control-plane-proxy': controlPlaneProxy(ctx),
    'linkerd-ha-checks': linkerdHa(ctx),
  };
}

/** Categories each mode enables (order does not matter: CATEGORY_ORDER decides). */
function enabledCategories(mode: CheckMode, ctx: CheckContext): Partial<Record<CategoryId, Category>> {
  switch (mode) {
    case 'crds':
      return { ...basics(ctx), 'linkerd-crd': linkerdCrd(ctx) };
    case 'pre':
      return {
        ...basics(ctx),
        'pre-kubernetes-setup': preKubernetesSetup(ctx),
        ...(ctx.options.linkerdCniEnabled ? { 'linkerd-cni-plugin': linkerdCniPlugin(ctx, async () => true) } : {}),
      };
    case 'control-plane':
      return {
        ...controlPlane(ctx),
        'control-plane-version': controlPlaneVersion(ctx),
        'linkerd-extension-checks': linkerdExtensionChecks(ctx),
      };
    case 'proxy':
      return {
        ...controlPlane(ctx),
        'linkerd-identity-data-plane': linkerdIdentityDataPlane(ctx),
        'linkerd-data-plane': linkerdDataPlane(ctx),
      };
  }
}

export function categoriesFor(mode: CheckMode, ctx: CheckContext): Category[] {
  const enabled = enabledCategories(mode, ctx);
  return CATEGORY_ORDER.flatMap((id) => {
    const category = enabled[id];
    return category === undefined ? [] : [category];
  });
}
