#!/usr/bin/env node
// The l5d CLI: oclif and the command classes bundled into dist/bundle by `npm run build`.
const { run } = await import('../dist/bundle/run.js');
await run();
