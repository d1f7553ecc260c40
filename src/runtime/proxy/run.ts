// Process entry of the proxy: runs main() and turns initialization failures into exit 1.
import { main } from './main.js';

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
