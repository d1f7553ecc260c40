import type { CheckContext } from '../context.js';
import type { Category } from '../model.js';
import { matchVersion } from '../versions.js';

export function controlPlaneVersion(ctx: CheckContext): Category {
  const version = async (): Promise<string> => {
    let config;
    try {
      config = await ctx.linkerdConfig();
    } catch (err) {
      throw new Error(`failed to fetch linkerd-config: ${(err as Error).message}`);
    }
    return config.values.linkerdVersion ?? '';
  };
  return {
    id: 'control-plane-version',
    checks: [
      {
        description: 'can retrieve the control plane version',
        hintAnchor: 'l5d-version-control',
        fatal: true,
        retry: true,
        run: async () => {
          await version();
        },
      },
      {
        description: 'control plane is up-to-date',
        hintAnchor: 'l5d-version-control',
        warning: true,
        run: async () => matchVersion(await version(), await ctx.latestChannels().catch(() => [])),
      },
      {
        description: 'control plane and cli versions match',
        hintAnchor: 'l5d-version-control',
        warning: true,
        run: async () => {
          const cp = await version();
          if (cp !== ctx.options.cliVersion) {
            throw new Error(`control plane running ${cp} but cli running ${ctx.options.cliVersion}`);
          }
        },
      },
    ],
  };
}
