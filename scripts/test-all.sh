#!/usr/bin/env bash
# Runs every l5d test on a fresh machine: system packages, npm dependencies, the build, the
# Kubernetes test bed binaries (cached under ~/.cache/l5d), then all suites in one test run.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
npm run build
npm run typecheck
npm run lint
bash testbed/build.sh
echo "setup took $(( $(date +%s) - start ))s"
node scripts/run-tests.mjs unit golden integration dataplane node
