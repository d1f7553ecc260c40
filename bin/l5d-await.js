#!/usr/bin/env node
// l5d-await: waits for the local proxy to be ready, then runs a command (linkerd-await compatible).
import '../dist/runtime/await/run.js';
