#!/usr/bin/env bash
# Builds l5d's images (controller, proxy, debug, pause) as OCI archives, without a container engine.
# Needs root, mmdebstrap, gcc and a finished `npm run build`. See images/build.ts for the env vars.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node --import tsx images/build.ts "$@"
