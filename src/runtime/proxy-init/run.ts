// Process entry of proxy-init.
import { main } from './main.js';

process.exitCode = main();
