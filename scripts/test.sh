#!/usr/bin/env bash
# The README's test command: installs what is missing (npm packages, Debian's chromium and
# PostgreSQL server), then runs every suite — types, lint and layering, unit, integration (real PostgreSQL), e2e
# (Playwright in Debian chromium against the production build) — and prints one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
out=$(mktemp -d /tmp/fc-test.XXXXXX)
chmod 755 "$out"   # the PostgreSQL test server runs as the postgres user and must reach its data dir
pgdir="$out/pg"
cleanup() {
  bash scripts/pg-server.sh stop "$pgdir" >/dev/null 2>&1 || true
  [ "${lab_started:-0}" = 1 ] && lab/down >/dev/null 2>&1 || true
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "FAILED: $*"; exit 1; }

step "system packages"
# binary or file that proves the package is there → Debian package
need=()
check() { [ -e "$1" ] || command -v "$1" >/dev/null 2>&1 || need+=("$2"); }
check /usr/bin/chromium chromium
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
check haproxy haproxy
check /usr/sbin/mariadbd mariadb-server
check mariadb mariadb-client
check /usr/lib/galera/libgalera_smm.so galera-4
check rsync rsync
check socat socat
check jq jq
check nft nftables
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "missing ${need[*]}: run as root or install them with apt-get"
  echo "installing ${need[*]} with apt-get…"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || fail "apt-get install ${need[*]}"
fi
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"

step "npm packages and Prisma client"
bash scripts/ensure-deps.sh || fail "dependencies"

step "type check"
npx --no-install tsc --noEmit -p tsconfig.json || fail "type check"

step "lint and layering"
# Biome: formatting and lint (biome.jsonc); never writes (`npm run format` does). Then dependency-cruiser:
# the layering rules (.dependency-cruiser.cjs) and runtime import cycles in lib/ (.dependency-cruiser.runtime.cjs).
npx --no-install biome ci --error-on-warnings . || fail "lint (npm run format fixes formatting)"
npm run -s deps || fail "layering (dependency rules)"

step "unit tests"
npx --no-install vitest run --project unit --reporter=default --reporter=json --outputFile.json="$out/unit.json" || { node scripts/test-failures.mjs vitest "$out/unit.json"; fail "unit tests"; }

step "integration tests (real PostgreSQL; the lab of real servers)"
TEST_DATABASE_URL=$(bash scripts/pg-server.sh start "$pgdir") || fail "could not start PostgreSQL"
echo "PostgreSQL at $TEST_DATABASE_URL"
lab_started=1
lab/up || { lab/status; fail "the lab did not start (logs in .lab/log/)"; }
TEST_DATABASE_URL=$TEST_DATABASE_URL npx --no-install vitest run --project integration \
  --reporter=default --reporter=json --outputFile.json="$out/integration.json" || { node scripts/test-failures.mjs vitest "$out/integration.json"; fail "integration tests"; }
bash scripts/pg-server.sh stop "$pgdir" >/dev/null 2>&1 || true

step "build"
bash scripts/build.sh || fail "build"

step "end-to-end tests (Playwright, Debian chromium; the console on the simulation and on the lab)"
E2E_LAB=1 PLAYWRIGHT_JSON_OUTPUT_NAME="$out/e2e.json" npx --no-install playwright test --reporter=list,json || { node scripts/test-failures.mjs playwright "$out/e2e.json"; fail "e2e tests"; }
echo "screenshots: e2e/screenshots/"

step "summary"
node -e '
const fs = require("fs"); let passed = 0, failed = 0, skipped = 0;
for (const f of ["unit", "integration"]) {
  const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f + ".json", "utf8"));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
}
const e = JSON.parse(fs.readFileSync(process.argv[1] + "/e2e.json", "utf8")).stats;
passed += e.expected; failed += e.unexpected + e.flaky; skipped += e.skipped;
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed ? 1 : 0);
' "$out"
