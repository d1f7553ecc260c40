#!/usr/bin/env node
// The l5d sidecar proxy (linkerd2-proxy compatible). It runs the esbuild bundle of
// dist/runtime/proxy (scripts/build-proxy.mjs, part of `npm run build`): one file instead of ~40
// keeps the idle proxy's memory down (see the script's header).
import '../dist/runtime/proxy/bundle/run.js';
