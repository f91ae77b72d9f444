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
# name → kind. Order matters for `up` (dependencies first) and `down` (reverse).
components() {
  local r n
  echo "s3-kl s3" ; echo "s3-cy s3"
  for r in $(cfg '.regions[].id'); do
    for n in $(cfg ".regions[] | select(.id==\"$r\") | .mariadb.nodes[].name"); do echo "$n mariadb"; done
  done
  for r in $(cfg '.regions[].id'); do echo "$(cfg ".regions[] | select(.id==\"$r\") | .postgres.name") postgres"; done
  for r in $(cfg '.regions[].id'); do echo "$(cfg ".regions[] | select(.id==\"$r\") | .inference.name") inference"; done
  echo "s3-replicator replicator"
  echo "heartbeat heartbeat"
  for r in $(cfg '.regions[].id'); do echo "app-$r app"; done
  echo "haproxy haproxy"
}
kind_of() { components | awk -v n="$1" '$1==n{print $2}'; }

# region id owning a named mariadb node / postgres / s3 / inference component
region_of_node() { cfg ".regions[] | select(any(.mariadb.nodes[]; .name==\"$1\")) | .id"; }
node_json() { cfg ".regions[].mariadb.nodes[] | select(.name==\"$1\")"; }
node_port() { node_json "$1" | jq -r .port; }
region_json() { cfg ".regions[] | select(.id==\"$1\")"; }
region_by() { cfg ".regions[] | select(.$1.name==\"$2\") | .id"; }

port_of() {
  local name="$1" kind; kind="$(kind_of "$name")"
  case "$kind" in
    mariadb) node_port "$name" ;;
    postgres) cfg ".regions[] | select(.postgres.name==\"$name\") | .postgres.port" ;;
    s3) cfg ".regions[] | select(.s3.name==\"$name\") | .s3.port" ;;
    inference) cfg ".regions[] | select(.inference.name==\"$name\") | .inference.port" ;;
    replicator) cfg .s3.replicatorPort ;;
    app) cfg ".regions[] | select(.id==\"${name#app-}\") | .appPort" ;;
    haproxy) cfg .router.frontendPort ;;
    heartbeat) echo "-" ;;
  esac
}

# ---- processes ---------------------------------------------------------------------------
pidfile() { echo "$RUN/$1.pid"; }
pid_of() {
  local f; f="$(pidfile "$1")"
  if [[ "$(kind_of "$1")" == postgres ]]; then f="$DATA/pg/$1/postmaster.pid"; fi
  [[ -f "$f" ]] || return 1
  local p; p="$(head -1 "$f" 2>/dev/null)"
  [[ -n "$p" ]] && kill -0 "$p" 2>/dev/null && echo "$p"
}
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

# Start a Node (TypeScript via tsx) process in its own session so it outlives this shell.
start_node() { # name script args...
  local name="$1" script="$2"; shift 2
  is_running "$name" && return 0
  # every fd redirected and exec'd: no shell lingers holding the caller's stdout/stderr open
  ( cd "$REPO" && LAB_CONFIG="$CFG" exec setsid "$NODE_BIN" --import tsx "$script" "$@" ) >>"$LOG/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

stop_pid() { # name [signal] — TERM, wait up to 15 s, then KILL
  local name="$1" sig="${2:-TERM}" p i
  p="$(pid_of "$name")" || { rm -f "$(pidfile "$name")"; return 0; }
  kill -"$sig" "$p" 2>/dev/null || true
  for ((i=0; i<150; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$p" 2>/dev/null; then log "$name did not stop in 15s, killing"; kill -KILL "$p" 2>/dev/null || true; sleep 0.2; fi
  rm -f "$(pidfile "$name")"
}

# ---- MariaDB -----------------------------------------------------------------------------
# mariadbd (running as mysql) owns its socket and pid-file dir; lab/ctl records the pid separately.
my_sock() { echo "$RUN/mysql/$1.sock"; }
my_sql() { # node sql  — as root over the node's unix socket
  mariadb --protocol=socket -S "$(my_sock "$1")" -uroot -N -B -e "$2"
}
