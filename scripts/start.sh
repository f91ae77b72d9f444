#!/usr/bin/env bash
# The README's start command: install what is missing, build if sources changed, then run the
# console on http://localhost:${PORT:-3000} with the embedded database and simulated federation.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "Node.js 20.19+ is needed (node not found)"; exit 1; }
bash scripts/ensure-deps.sh
bash scripts/build.sh
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
# The hook makes `import "server-only"` a no-op outside Next.js bundles (scripts/server-only-hook.mjs).
exec npx --no-install tsx --import ./scripts/server-only-hook.mjs server.ts
