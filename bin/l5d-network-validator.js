#!/usr/bin/env node
// l5d-network-validator: checks the pod's NAT redirect to the proxy (linkerd2-network-validator compatible).
import '../dist/runtime/network-validator/run.js';
