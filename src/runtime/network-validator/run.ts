// Process entry of the network validator. Exits at once, as upstream does: the token server and
// any pending connection must not keep the init container alive.
import { main } from './main.js';

process.exit(await main());
