// Pure parsers for what MariaDB returns to the connector's queries (rows as mysql2 gives them).
import type { HeartbeatLag, ReplicaStatus, ServerRole, StatusRow, WsrepStatus } from "./types";

export const SQL = {
  wsrep: "SHOW GLOBAL STATUS LIKE 'wsrep%'",
  replicas: "SHOW ALL SLAVES STATUS",
  role: "SELECT @@read_only AS read_only, @@server_id AS server_id, @@gtid_current_pos AS gtid_current_pos, @@gtid_slave_pos AS gtid_slave_pos, @@wsrep_on AS wsrep_on",
  // the binlog position; on Galera the statement first waits until this node has applied every
  // write set certified before it (wsrep_sync_wait), so it covers commits made on other nodes
  binlogPos: (galera: boolean, syncTable: string) =>
    `${galera ? "SET STATEMENT wsrep_sync_wait=1 FOR " : ""}SELECT @@gtid_binlog_pos AS gtid_binlog_pos, @@server_id AS server_id, (SELECT COUNT(*) FROM (SELECT 1 FROM ${syncTable} LIMIT 1) t) AS synced`,
  gtidWait: "SELECT MASTER_GTID_WAIT(?, ?) AS result",
  // lag computed on the receiving server's clock, against the stamp the source wrote with SYSDATE(6)
  heartbeat: (table: string) =>
    `SELECT region, node, seq, CAST(ts AS CHAR(26)) AS ts, TIMESTAMPDIFF(MICROSECOND, ts, SYSDATE(6)) / 1000 AS lag_ms FROM ${table}`,
  // the server's clock, and the heartbeats of one source region applied here after a seq (newest
  // first, at most ?): one row with the clock alone when there are none. Both stamps converted in
  // the same session time zone, so their difference is exact.
  heartbeatLog: (table: string) =>
    `SELECT c.now_ms, h.seq, h.ts_ms FROM (SELECT UNIX_TIMESTAMP(SYSDATE(6)) * 1000 AS now_ms) c
     LEFT JOIN (SELECT seq, UNIX_TIMESTAMP(ts) * 1000 AS ts_ms FROM ${table} WHERE region = ? AND seq > ? ORDER BY seq DESC LIMIT ?) h ON 1 = 1`,
} as const;

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function statusMap(rows: StatusRow[]): Map<string, string> {
  return new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value ?? "")]));
}

export function parseWsrepStatus(rows: StatusRow[]): WsrepStatus {
  const m = statusMap(rows);
  const g = (k: string) => m.get(k) ?? null;
  // a server without Galera still reports wsrep_* status rows, with an empty provider name
  const enabled = (g("wsrep_provider_name") ?? "") !== "";
  return {
    enabled,
    clusterSize: num(g("wsrep_cluster_size")),
    clusterStatus: g("wsrep_cluster_status"),
    localState: g("wsrep_local_state_comment"),
    ready: g("wsrep_ready") === "ON",
    connected: g("wsrep_connected") === "ON",
    flowControlPaused: num(g("wsrep_flow_control_paused")),
    flowControlSent: num(g("wsrep_flow_control_sent")),
    recvQueue: num(g("wsrep_local_recv_queue")),
    sendQueue: num(g("wsrep_local_send_queue")),
    clusterStateUuid: g("wsrep_cluster_state_uuid"),
    lastCommitted: num(g("wsrep_last_committed")),
    nodeName: null,
  };
}

/** SHOW ALL SLAVES STATUS → one entry per connection (empty when the server is no replica). */
export function parseReplicaStatus(rows: Record<string, unknown>[]): ReplicaStatus[] {
  return rows.map((r) => {
    const s = (k: string) => (r[k] === null || r[k] === undefined ? "" : String(r[k]));
    return {
      connectionName: s("Connection_name"),
      sourceHost: s("Master_Host"),
      sourcePort: num(r.Master_Port) ?? 0,
      ioRunning: s("Slave_IO_Running"),
      sqlRunning: s("Slave_SQL_Running"),
      lastIoError: s("Last_IO_Error"),
      lastSqlError: s("Last_SQL_Error"),
      secondsBehindMaster: num(r.Seconds_Behind_Master),
      gtidIoPos: s("Gtid_IO_Pos"),
      gtidSlavePos: r.Gtid_Slave_Pos === undefined ? null : s("Gtid_Slave_Pos"),
      usingGtid: s("Using_Gtid"),
      sqlState: s("Slave_SQL_Running_State"),
    };
  });
}

/** Why a replication connection is not healthy, in words; null when both threads run. */
export function replicaProblem(r: ReplicaStatus): string | null {
  const name = r.connectionName ? `replica ${r.connectionName}` : "replica";
  if (r.sqlRunning !== "Yes") return `${name} SQL thread stopped${r.lastSqlError ? `: ${r.lastSqlError}` : ""}`;
  if (r.ioRunning === "Connecting") return `${name} cannot reach its source ${r.sourceHost}:${r.sourcePort}${r.lastIoError ? `: ${r.lastIoError}` : ""}`;
  if (r.ioRunning !== "Yes") return `${name} IO thread stopped${r.lastIoError ? `: ${r.lastIoError}` : ""}`;
  return null;
}

export function parseHeartbeatRows(rows: Record<string, unknown>[]): HeartbeatLag[] {
  return rows
    .map((r) => ({
      region: String(r.region),
      node: String(r.node ?? ""),
      seq: num(r.seq) ?? 0,
      ts: String(r.ts),
      lagMs: num(r.lag_ms) ?? Number.NaN,
    }))
    .filter((h) => Number.isFinite(h.lagMs));
}

/** Lag into `localRegion`: the worst heartbeat of any other region (clamped at 0: clock noise). */
export function crossRegionLagMs(beats: HeartbeatLag[], localRegion: string): { lagMs: number; from: string } | null {
  const remote = beats.filter((b) => b.region !== localRegion);
  if (remote.length === 0) return null;
  const worst = remote.reduce((a, b) => (b.lagMs > a.lagMs ? b : a));
  return { lagMs: Math.max(0, Math.round(worst.lagMs * 10) / 10), from: worst.region };
}

export function parseServerRole(row: Record<string, unknown>): ServerRole {
  return {
    readOnly: Number(row.read_only) === 1,
    serverId: num(row.server_id) ?? 0,
    gtidCurrentPos: String(row.gtid_current_pos ?? ""),
    gtidSlavePos: String(row.gtid_slave_pos ?? ""),
    wsrepOn: Number(row.wsrep_on) === 1,
  };
}

/** "1-1-103,2-2-81" → domain → seq_no (the highest per domain). */
export function parseGtidPos(pos: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const part of pos
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!m) throw new Error(`bad GTID "${part}"`);
    const d = Number(m[1]);
    out.set(d, Math.max(out.get(d) ?? 0, Number(m[3])));
  }
  return out;
}

/** true when `have` contains every transaction of `want` (per domain). */
export function gtidCovers(have: string, want: string): boolean {
  const h = parseGtidPos(have);
  for (const [d, seq] of parseGtidPos(want)) if ((h.get(d) ?? -1) < seq) return false;
  return true;
}

/**
 * The part of a GTID list that belongs to one replication domain: "1-1-10756,2-2-10983", 1 →
 * "1-1-10756". With log_slave_updates a server's binlog also holds the other region's domain; a
 * target can only wait for the source's own. Several server ids in the domain (a former writer):
 * the highest sequence number wins, as MariaDB orders a domain by seq_no. "" when the domain has
 * logged nothing yet (MASTER_GTID_WAIT('') returns at once).
 */
export function gtidForDomain(pos: string, domain: number): string {
  let best: { text: string; seq: bigint } | null = null;
  for (const part of pos
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!m) throw new Error(`bad GTID "${part}" in "${pos}"`);
    if (Number(m[1]) !== domain) continue;
    const seq = BigInt(m[3]);
    if (!best || seq > best.seq) best = { text: part, seq };
  }
  return best?.text ?? "";
}

/** The later of two GTIDs of one domain ("" = nothing); throws when the domains differ. */
export function laterGtid(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a;
  const pa = /^(\d+)-\d+-(\d+)$/.exec(a);
  const pb = /^(\d+)-\d+-(\d+)$/.exec(b);
  if (!pa || !pb) throw new Error(`bad GTID "${pa ? b : a}"`);
  if (pa[1] !== pb[1]) throw new Error(`GTIDs of different domains: ${a} vs ${b}`);
  return BigInt(pb[2]) > BigInt(pa[2]) ? b : a;
}

export interface BinlogPosition {
  /** the whole @@gtid_binlog_pos, every domain */
  gtidBinlogPos: string;
  serverId: number;
}

export function parseBinlogPosition(row: Record<string, unknown> | undefined): BinlogPosition {
  if (!row || typeof row.gtid_binlog_pos !== "string") throw new Error("no @@gtid_binlog_pos in the answer");
  return { gtidBinlogPos: row.gtid_binlog_pos.trim(), serverId: num(row.server_id) ?? 0 };
}

/** MASTER_GTID_WAIT: 0 = applied, -1 = timed out; NULL = the server could not wait (bad position, no replication state). */
export function parseGtidWaitResult(row: Record<string, unknown> | undefined): "applied" | "timeout" | "error" {
  const v = row?.result;
  if (v === null || v === undefined) return "error";
  const n = Number(v);
  if (n === 0) return "applied";
  if (n === -1) return "timeout";
  return "error";
}

/**
 * A GTID list with one domain's entry set to `gtid` (added when absent): what @@gtid_slave_pos
 * becomes when a replica is told to skip, in that domain, everything up to `gtid` (the errant
 * transactions of a region that was failed over, once a person decided what to do with them).
 */
export function withDomain(pos: string, gtid: string): string {
  const m = /^(\d+)-\d+-\d+$/.exec(gtid);
  if (!m) throw new Error(`bad GTID "${gtid}"`);
  const parts = pos
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of parts) if (!/^\d+-\d+-\d+$/.test(p)) throw new Error(`bad GTID "${p}" in "${pos}"`);
  const kept = parts.filter((p) => p.split("-")[0] !== m[1]);
  return [...kept, gtid].sort((a, b) => Number(a.split("-")[0]) - Number(b.split("-")[0])).join(",");
}
