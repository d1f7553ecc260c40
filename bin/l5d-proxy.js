#!/usr/bin/env node
// The l5d sidecar proxy (linkerd2-proxy compatible).
import '../dist/runtime/proxy/run.js';
