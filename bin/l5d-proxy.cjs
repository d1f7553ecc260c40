#!/usr/bin/env node
// The l5d sidecar proxy (linkerd2-proxy compatible). It runs the CommonJS bundle of
// dist/runtime/proxy (scripts/build-proxy.mjs, part of `npm run build`): one CommonJS file keeps
// the idle proxy's memory down (see the script's header).
'use strict';
require('../dist/runtime/proxy/bundle/run.cjs');
