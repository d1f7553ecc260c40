#!/usr/bin/env node
// Control-plane controllers: `l5d-controller <component> [Go-style -flag=value args]`.
const COMPONENTS = new Set(['identity', 'destination', 'proxy-injector', 'sp-validator', 'policy', 'heartbeat']);

const [component, ...args] = process.argv.slice(2);
if (component === undefined || !COMPONENTS.has(component)) {
  process.stderr.write(`unknown subcommand: ${component ?? ''}\n`);
  process.exit(1);
}
const { main } = await import(`../dist/runtime/${component}/main.js`);
// A failure while starting is fatal; once serving, the runtime's own error policy applies.
await main(args).catch((err) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
