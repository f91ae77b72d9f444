#!/usr/bin/env bash
# Builds the Next.js app when any source file changed since the last build.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=.next/.fc-build-sum
# (files deleted but not yet committed are still listed by git: only the ones present count)
sum=$( { git ls-files -co --exclude-standard -- app components lib prisma public proxy.ts next.config.mjs tsconfig.json package-lock.json 2>/dev/null \
  | grep -v '^lib/generated/' | sort | while IFS= read -r f; do if [ -f "$f" ]; then printf '%s\n' "$f"; fi; done | xargs -r -d '\n' sha256sum; } | sha256sum | cut -d' ' -f1)
if [ -f .next/BUILD_ID ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then exit 0; fi
echo "› building the console (next build)…"
NEXT_TELEMETRY_DISABLED=1 npx --no-install next build > .next-build.log 2>&1 || { cat .next-build.log; exit 1; }
echo "$sum" > "$stamp"
