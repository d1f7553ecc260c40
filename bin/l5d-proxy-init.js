#!/usr/bin/env node
// l5d-proxy-init: installs the pod's NAT redirect rules (linkerd2-proxy-init compatible).
import '../dist/runtime/proxy-init/run.js';
