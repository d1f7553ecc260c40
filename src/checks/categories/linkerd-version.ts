import type { CheckContext } from '../context.js';
import type { Category } from '../model.js';
import { matchVersion } from '../versions.js';

export function linkerdVersion(ctx: CheckContext): Category {
  return {
    id: 'linkerd-version',
    checks: [
      {
        description: 'can determine the latest version',
        hintAnchor: 'l5d-version-latest',
        warning: true,
        run: async () => {
          await ctx.latestChannels();
        },
      },
      {
        description: 'cli is up-to-date',
        hintAnchor: 'l5d-version-cli',
        warning: true,
        run: async () => {
          // Offline, the lookup above already warned; here only the channel is unknown.
          const channels = await ctx.latestChannels().catch(() => []);
          matchVersion(ctx.options.cliVersion, channels);
        },
      },
    ],
  };
}
