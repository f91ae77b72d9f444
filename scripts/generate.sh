#!/usr/bin/env bash
# Generates the Prisma client when prisma/schema.prisma changed. Prisma's CLI wants a schema-engine
# binary it would download; generate does not use it, so any existing file satisfies the check
# on machines without internet.
set -euo pipefail
cd "$(dirname "$0")/.."
out=lib/generated/prisma
stamp=$out/.schema-sum
sum=$(sha256sum prisma/schema.prisma | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then exit 0; fi
echo "› generating the Prisma client…"
PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(type -P true)}" PRISMA_HIDE_UPDATE_MESSAGE=1 \
  npx --no-install prisma generate >/dev/null
echo "$sum" > "$stamp"
