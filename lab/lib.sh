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
declare -A KIND PORT REGION WSREP IST SST NODEIDX R_KIND R_SID R_DOM R_NODES R_BACKEND R_APPSERVER R_APPPORT R_PG R_PGROLE \
  NS ADDR HADDR XADDR NETPREFIX
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
      kv("NS"; $r.id; $r.net.netns), kv("ADDR"; $r.id; $r.net.address), kv("HADDR"; $r.id; $r.net.hostAddress),
      kv("XADDR"; $r.id; $r.net.interAddress), kv("NETPREFIX"; $r.id; $r.net.prefix),
      kv("KIND"; "heartbeat-" + $r.id; "heartbeat"), kv("PORT"; "heartbeat-" + $r.id; "-"), kv("REGION"; "heartbeat-" + $r.id; $r.id),
      kv("KIND"; $r.postgres.name; "postgres"), kv("PORT"; $r.postgres.name; $r.postgres.port), kv("REGION"; $r.postgres.name; $r.id),
      kv("KIND"; $r.s3.name; "s3"), kv("PORT"; $r.s3.name; $r.s3.port), kv("REGION"; $r.s3.name; $r.id),
      kv("KIND"; $r.inference.name; "inference"), kv("PORT"; $r.inference.name; $r.inference.port), kv("REGION"; $r.inference.name; $r.id),
      kv("KIND"; "app-" + $r.id; "app"), kv("PORT"; "app-" + $r.id; $r.appPort), kv("REGION"; "app-" + $r.id; $r.id) ),
  kv("KIND"; "s3-replicator"; "replicator"), kv("PORT"; "s3-replicator"; .s3.replicatorPort), kv("REGION"; "s3-replicator"; .s3.replicatorRegion),
  kv("KIND"; "haproxy"; "haproxy"), kv("PORT"; "haproxy"; .router.frontendPort),
  "REGIONS=\([.regions[].id] | join(" ") | @sh)",
  "PG_PRIMARY=\([.regions[] | select(.postgres.role=="primary") | .postgres.name][0] | @sh)",
  # start order: dependencies first (down uses the reverse)
  "COMPONENTS=\(([.regions[].s3.name] + [.regions[].mariadb.nodes[].name] + [.regions[].postgres.name]
      + [.regions[].inference.name] + ["s3-replicator"] + [.regions[] | "heartbeat-" + .id] + [.regions[] | "app-" + .id] + ["haproxy"]) | join(" ") | @sh)",
  "INTER_A=\(.network.interLink.a | @sh)", "INTER_B=\(.network.interLink.b | @sh)", "INTER_PREFIX=\(.network.interLink.prefix | @sh)",
  "USER_HOSTS=\(.network.userHostPattern | @sh)",
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

# Where a component listens: its region's uplink address (the region's namespace), else the host's.
addr_of() { local r="${REGION[$1]:-}"; if [[ -n "$r" ]]; then echo "${ADDR[$r]}"; else echo "$HOST"; fi; }
ns_of() { local r="${REGION[$1]:-}"; if [[ -n "$r" ]]; then echo "${NS[$r]}"; fi; }
in_ns() { # component cmd args... — exec's cmd inside the component's region namespace (same pid)
  local ns; ns="$(ns_of "$1")"; shift
  if [[ -n "$ns" ]]; then exec ip netns exec "$ns" "$@"; else exec "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; } # host port
wait_port() { # name port timeout_s
  local i n=$(( ${3:-20} * 10 )) at; at="$(addr_of "$1")"
  for ((i=0; i<n; i++)); do
    port_open "$at" "$2" && return 0
    is_running "$1" || { tail -n 20 "$LOG/$1.log" >&2 2>/dev/null; die "$1 exited during start (log: $LOG/$1.log)"; }
    sleep 0.1
  done
  die "$1 not listening on $at:$2 after ${3:-20}s (log: $LOG/$1.log)"
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
  ( cd "$REPO" && export LAB_CONFIG="$CFG" LAB_REPO_ROOT="$REPO" NODE_NO_WARNINGS=1 && in_ns "$name" setsid "$NODE_BIN" "$bundle" "$@" ) >>"$LOG/$name.log" 2>&1 </dev/null &
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
    if [[ "$port" == - ]] || port_open "$(addr_of "$name")" "$port"; then st=up; else st=starting; fi
  else st=down; p=-; fi
  printf '%-14s %-9s %-6s port=%-6s pid=%s\n' "$name" "$st" "$(kind_of "$name")" "$port" "$p"
}


# ---- networks: one namespace per region -------------------------------------------------------
# Each region runs in its own Linux network namespace with two links: an uplink to the host (veth
# "<ns>-h" on the host, "uplink" inside; the console and HAProxy reach the region this way) and
# the inter-region link (veth "inter" in both regions' namespaces) that carries replication. The
# regions have no route to each other but that link, so cutting it partitions them for real.
# Cuts are nftables rules in the region's own namespace that drop every packet on a link (a
# blackhole: connections hang and time out, nothing is refused). No fallback: without namespaces
# the lab does not start, so partition tests can never pass vacuously.
NETDIR="$DATA/net"
mkdir -p "$NETDIR"
netns_exists() { [[ -e "/run/netns/$1" ]]; }
host_veth() { echo "${NS[$1]}-h"; }

net_up() {
  [[ "$(id -u)" == 0 ]] || die "the lab puts each region in a network namespace of its own, which needs root (CAP_NET_ADMIN): run lab/up as root"
  command -v nft >/dev/null || die "nftables is needed to cut the lab's links (partitions): apt-get install nftables"
  local r ns hv
  for r in $REGIONS; do
    ns="${NS[$r]}"; hv="$(host_veth "$r")"
    if ! netns_exists "$ns"; then
      ip netns add "$ns" 2>"$LOG/net.err" || die "cannot create network namespace $ns: $(cat "$LOG/net.err") (the lab needs 'ip netns' and veth links; there is no fallback)"
    fi
    ip -n "$ns" link set lo up
    if ! ip link show "$hv" >/dev/null 2>&1; then
      ip link add "$hv" type veth peer name uplink netns "$ns" 2>"$LOG/net.err" || die "cannot create the uplink of $r: $(cat "$LOG/net.err")"
      ip addr add "${HADDR[$r]}/${NETPREFIX[$r]}" dev "$hv"
      ip -n "$ns" addr add "${ADDR[$r]}/${NETPREFIX[$r]}" dev uplink
    fi
    ip link set "$hv" up
    ip -n "$ns" link set uplink up
  done
  local na="${NS[$INTER_A]}" nb="${NS[$INTER_B]}"
  if ! ip -n "$na" link show inter >/dev/null 2>&1; then
    ip -n "$nb" link del inter 2>/dev/null || true
    ip -n "$na" link add inter type veth peer name inter netns "$nb" 2>"$LOG/net.err" || die "cannot create the inter-region link: $(cat "$LOG/net.err")"
    ip -n "$na" addr add "${XADDR[$INTER_A]}/$INTER_PREFIX" dev inter
    ip -n "$nb" addr add "${XADDR[$INTER_B]}/$INTER_PREFIX" dev inter
  fi
  ip -n "$na" link set inter up
  ip -n "$nb" link set inter up
  for r in $REGIONS; do net_apply "$r"; done
}

net_down() {
  local r
  for r in $REGIONS; do
    if netns_exists "${NS[$r]}"; then ip netns del "${NS[$r]}" 2>/dev/null || true; fi
    ip link del "$(host_veth "$r")" 2>/dev/null || true
    rm -f "$NETDIR/$r.cuts"
  done
}

# The links of a region that are cut now: "uplink" and/or "inter", one per line.
net_cuts() { if [[ -f "$NETDIR/$1.cuts" ]]; then sort -u "$NETDIR/$1.cuts"; fi; }
net_set() { # region link on|off
  local f="$NETDIR/$1.cuts" rest
  rest="$(net_cuts "$1" | grep -vx "$2" || true)"
  { if [[ -n "$rest" ]]; then echo "$rest"; fi; if [[ "$3" == on ]]; then echo "$2"; fi; } >"$f.tmp"
  mv "$f.tmp" "$f"
  net_apply "$1"
}
# Renders the region's cuts as one nftables table (replaced whole, so it is idempotent).
net_apply() {
  local r="$1" l in="" out=""
  for l in $(net_cuts "$r"); do
    in+=" iifname \"$l\" drop;"
    out+=" oifname \"$l\" drop;"
  done
  ip netns exec "${NS[$r]}" nft -f - <<EOF || die "nftables rules for $r could not be applied"
table inet fclab
delete table inet fclab
table inet fclab {
  chain input { type filter hook input priority 0; policy accept;$in }
  chain output { type filter hook output priority 0; policy accept;$out }
}
EOF
}

net_status_line() { # region
  local r="$1" c
  c="$(net_cuts "$r" | tr '\n' ' ')"
  printf '%-14s %-9s %-6s ns=%s uplink=%s inter=%s\n' "net-$r" "$([[ -z "$c" ]] && echo up || echo cut)" net "${NS[$r]}" \
    "$(grep -qw uplink <<<"$c" && echo cut || echo up)" "$(grep -qw inter <<<"$c" && echo cut || echo up)"
}
