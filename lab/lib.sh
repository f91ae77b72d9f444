# Shared helpers for lab/up, lab/down, lab/status, lab/ctl. Sourced, not executed.
# Everything is driven by lab/lab.config.json (LAB_CONFIG overrides the path).
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$LAB_DIR/.." && pwd)"
CFG="${LAB_CONFIG:-$LAB_DIR/lab.config.json}"
[[ -f "$CFG" ]] || { echo "lab: config not found: $CFG" >&2; exit 2; }

cfg() { jq -r "$1" "$CFG"; }
abspath() { case "$1" in /*) echo "$1" ;; *) echo "$REPO/$1" ;; esac; }

HOST="$(cfg .host)"
DATA="$(abspath "$(cfg .dataDir)")"
RUN="$DATA/run"
LOG="$DATA/log"
PGBIN="$(cfg .postgres.bin)"
PGOS="$(cfg .postgres.osUser)"
NODE_BIN="$(command -v node)"

mkdir -p "$RUN" "$LOG"
chmod 755 "$DATA" "$RUN" "$LOG"

log() { printf '%s lab: %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
die() { printf 'lab: ERROR: %s\n' "$*" >&2; exit 1; }

# ---- component registry ------------------------------------------------------------------
# One jq call turns the config into bash arrays (a jq per lookup made `lab/status` take seconds).
declare -A KIND PORT REGION WSREP IST SST NODEIDX R_KIND R_SID R_DOM R_NODES R_BACKEND R_APPSERVER R_APPPORT R_PG R_PGROLE
eval "$(jq -r '
  def kv(a; k; v): "\(a)[\(k|@sh)]=\(v|tostring|@sh)";
  ( .regions[] as $r | $r.mariadb.nodes | to_entries[] | .key as $i | .value as $n |
      kv("KIND"; $n.name; "mariadb"), kv("PORT"; $n.name; $n.port), kv("REGION"; $n.name; $r.id),
      kv("WSREP"; $n.name; $n.wsrepPort), kv("IST"; $n.name; $n.istPort), kv("SST"; $n.name; $n.sstPort), kv("NODEIDX"; $n.name; $i) ),
  ( .regions[] as $r |
      kv("R_KIND"; $r.id; $r.mariadb.kind), kv("R_SID"; $r.id; $r.mariadb.serverId), kv("R_DOM"; $r.id; $r.mariadb.gtidDomainId),
      kv("R_NODES"; $r.id; [$r.mariadb.nodes[].name] | join(" ")), kv("R_BACKEND"; $r.id; $r.backend),
      kv("R_APPSERVER"; $r.id; $r.appServer), kv("R_APPPORT"; $r.id; $r.appPort), kv("R_PG"; $r.id; $r.postgres.name),
      kv("R_PGROLE"; $r.id; $r.postgres.role),
      kv("KIND"; $r.postgres.name; "postgres"), kv("PORT"; $r.postgres.name; $r.postgres.port), kv("REGION"; $r.postgres.name; $r.id),
      kv("KIND"; $r.s3.name; "s3"), kv("PORT"; $r.s3.name; $r.s3.port), kv("REGION"; $r.s3.name; $r.id),
      kv("KIND"; $r.inference.name; "inference"), kv("PORT"; $r.inference.name; $r.inference.port), kv("REGION"; $r.inference.name; $r.id),
      kv("KIND"; "app-" + $r.id; "app"), kv("PORT"; "app-" + $r.id; $r.appPort), kv("REGION"; "app-" + $r.id; $r.id) ),
  kv("KIND"; "s3-replicator"; "replicator"), kv("PORT"; "s3-replicator"; .s3.replicatorPort),
  kv("KIND"; "heartbeat"; "heartbeat"), kv("PORT"; "heartbeat"; "-"),
  kv("KIND"; "haproxy"; "haproxy"), kv("PORT"; "haproxy"; .router.frontendPort),
  "REGIONS=\([.regions[].id] | join(" ") | @sh)",
  "PG_PRIMARY=\([.regions[] | select(.postgres.role=="primary") | .postgres.name][0] | @sh)",
  # start order: dependencies first (down uses the reverse)
  "COMPONENTS=\(([.regions[].s3.name] + [.regions[].mariadb.nodes[].name] + [.regions[].postgres.name]
      + [.regions[].inference.name] + ["s3-replicator", "heartbeat"] + [.regions[] | "app-" + .id] + ["haproxy"]) | join(" ") | @sh)",
  "LINKS=\([.crossRegion.links[] | "\(.connection):\(.fromNode):\(.toNode)"] | join(" ") | @sh)"
' "$CFG")"

components() { local c; for c in $COMPONENTS; do echo "$c ${KIND[$c]}"; done; }
kind_of() { echo "${KIND[$1]:-}"; }
node_port() { echo "${PORT[$1]}"; }
port_of() { echo "${PORT[$1]:-}"; }
region_of_node() { echo "${REGION[$1]}"; }
pg_primary_name() { echo "$PG_PRIMARY"; }

# ---- processes ---------------------------------------------------------------------------
pidfile() { echo "$RUN/$1.pid"; }
pid_of() {
  local f; f="$(pidfile "$1")"
  if [[ "${KIND[$1]:-}" == postgres ]]; then f="$DATA/pg/$1/postmaster.pid"; fi
  [[ -f "$f" ]] || return 1
  local p; p="$(head -1 "$f" 2>/dev/null)"
  [[ -n "$p" ]] && alive "$p" && echo "$p"
}
# A killed process stays a zombie until this container's init reaps it: count that as dead.
alive() { local st; st="$(ps -o stat= -p "$1" 2>/dev/null)" && [[ -n "$st" && "$st" != Z* ]]; }
is_running() { pid_of "$1" >/dev/null 2>&1; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
wait_port() { # name port timeout_s
  local i n=$(( ${3:-20} * 10 ))
  for ((i=0; i<n; i++)); do
    port_open "$2" && return 0
    is_running "$1" || { tail -n 20 "$LOG/$1.log" >&2 2>/dev/null; die "$1 exited during start (log: $LOG/$1.log)"; }
    sleep 0.1
  done
  die "$1 not listening on $HOST:$2 after ${3:-20}s (log: $LOG/$1.log)"
}

# The lab's Node processes are bundled once with esbuild (tsx's own dependency) and run with plain
# node: no TypeScript loader and no esbuild service per process (about 40 MB and a second of CPU
# each). Rebuilt when any source is newer than the bundle.
BUILD="$DATA/build"
build_apps() {
  local stamp="$BUILD/.built"
  if [[ -f "$stamp" ]] && [[ -z "$(find "$LAB_DIR/app" "$REPO/lib/federation/lab" -newer "$stamp" -name '*.ts' ! -name '*.test.ts' 2>/dev/null | head -1)" ]]; then return 0; fi
  mkdir -p "$BUILD"
  ( cd "$REPO" && node_modules/.bin/esbuild lab/app/app.ts lab/app/heartbeat.ts lab/app/s3.ts lab/app/s3-replicator.ts lab/app/inference.ts \
      --bundle --platform=node --target=node20 --format=esm --packages=external --outdir="$BUILD" --out-extension:.js=.mjs --log-level=warning ) \
    || die "bundling lab/app failed"
  touch "$stamp"
}

# Start a Node process in its own session so it outlives this shell.
start_node() { # name script(.ts under lab/app) args...
  local name="$1" script="$2"; shift 2
  is_running "$name" && return 0
  local bundle="$BUILD/$(basename "${script%.ts}").mjs"
  build_apps # cheap when nothing changed; a restart after an edit runs the new code
  # every fd redirected and exec'd: no shell lingers holding the caller's stdout/stderr open
  ( cd "$REPO" && LAB_CONFIG="$CFG" LAB_REPO_ROOT="$REPO" NODE_NO_WARNINGS=1 exec setsid "$NODE_BIN" "$bundle" "$@" ) >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

stop_pid() { # name [signal] — TERM, wait up to 15 s, then KILL
  local name="$1" sig="${2:-TERM}" p i
  p="$(pid_of "$name")" || { rm -f "$(pidfile "$name")"; return 0; }
  kill -"$sig" "$p" 2>/dev/null || true
  for ((i=0; i<300; i++)); do alive "$p" || break; sleep 0.05; done
  if alive "$p"; then log "$name did not stop in 15s, killing"; kill -KILL "$p" 2>/dev/null || true; sleep 0.2; fi
  rm -f "$(pidfile "$name")"
}

# ---- MariaDB -----------------------------------------------------------------------------
# mariadbd (running as mysql) owns its socket and pid-file dir; lab/ctl records the pid separately.
my_sock() { echo "$RUN/mysql/$1.sock"; }
my_sql() { # node sql  — as root over the node's unix socket
  mariadb --protocol=socket -S "$(my_sock "$1")" -uroot -N -B -e "$2"
}

status_line() {
  local name="$1" p port st
  port="$(port_of "$name")"
  if p="$(pid_of "$name")"; then
    if [[ "$port" == - ]] || port_open "$port"; then st=up; else st=starting; fi
  else st=down; p=-; fi
  printf '%-14s %-9s %-6s port=%-6s pid=%s\n' "$name" "$st" "$(kind_of "$name")" "$port" "$p"
}

