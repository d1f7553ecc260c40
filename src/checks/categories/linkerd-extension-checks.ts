import type { V1Namespace } from '@kubernetes/client-node';
import type { CheckContext } from '../context.js';
import { apiErrorText } from '../kube-api.js';
import type { Category } from '../model.js';
import { listItems } from '../object-lists.js';

export function linkerdExtensionChecks(ctx: CheckContext): Category {
  return {
    id: 'linkerd-extension-checks',
    checks: [
      {
        description: 'namespace configuration for extensions',
        hintAnchor: 'l5d-extension-namespaces',
        warning: true,
        run: async (signal) => {
          let namespaces: V1Namespace[];
          try {
            namespaces = await listItems<V1Namespace>(
              await ctx.kube(),
              '/api/v1/namespaces',
              'linkerd.io/extension',
              signal,
            );
          } catch (err) {
            throw new Error(`unexpected error when retrieving namespaces: ${apiErrorText(err)}`);
          }
          const byExtension = new Map<string, string[]>();
          for (const ns of namespaces) {
            const ext = ns.metadata?.labels?.['linkerd.io/extension'] ?? '';
            byExtension.set(ext, [...(byExtension.get(ext) ?? []), ns.metadata?.name ?? '']);
          }
          const clashes = [...byExtension].filter(([, names]) => names.length > 1);
          if (clashes.length === 0) return;
          const lines = clashes.map(
            ([ext, names]) =>
              `\n\t* label "linkerd.io/extension=${ext}" is present on more than one namespace:${names.map((n) => `\n\t\t* ${n}`).join('')}`,
          );
          throw new Error(`some extensions have invalid configuration${lines.join('')}`);
        },
      },
    ],
  };
}
