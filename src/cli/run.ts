import { execute } from '@oclif/core';

/** The CLI's entry point; bin/run.js loads it from the esbuild bundle. */
export async function run(): Promise<void> {
  await execute({ dir: import.meta.url });
}
