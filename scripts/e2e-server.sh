#!/usr/bin/env bash
# The console for the e2e suite: the production build, a fresh embedded database, and the
# simulated federation (sim) or the lab of real servers (lab).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-3100}
mode=${2:-sim}
dir=$(mktemp -d /tmp/fc-e2e.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=$port DATA_DIR=$dir SIM_SEED=7 NEXTAUTH_URL=http://localhost:$port FEDERATION_MODE=$mode
# A failed-over region's tenants come back by re-pin 10 s after it is healthy again (not 60 s), so
# the failover test sees the whole round trip within its time.
export REPIN_HOLD_DOWN_MS=10000
# The hook makes `import "server-only"` a no-op outside Next.js bundles (scripts/server-only-hook.mjs).
npx --no-install tsx --import ./scripts/server-only-hook.mjs server.ts
