#!/usr/bin/env bash
# Installs what the console needs on a fresh clone: npm packages (when package-lock.json changed
# since the last install) and the generated Prisma client (when the schema changed).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.fc-install-stamp
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "› installing npm packages…"
  # Not `npm ci`: the registry reachable here lacks next's macOS/Windows SWC packages, so the
  # lock file cannot list them and `npm ci` refuses it as out of sync. `npm install --no-save`
  # installs exactly the locked versions and leaves the lock file alone. --include=dev: the test
  # tools (tsc, vitest, playwright, biome, dependency-cruiser) are devDependencies, and npm would
  # skip them if NODE_ENV=production happened to be set.
  npm install --no-save --include=dev --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > "$stamp"
fi
bash scripts/generate.sh
