// Pure parsers for the PostgreSQL connector's queries (rows as node-postgres returns them:
// numeric and bigint come back as strings).
import type { NodeStatus, PgHeartbeat, ReplicationRow } from "./types";

export const SQL = {
  status: `SELECT pg_is_in_recovery() AS in_recovery,
    CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS current_lsn,
    pg_last_wal_receive_lsn()::text AS receive_lsn,
    pg_last_wal_replay_lsn()::text AS replay_lsn,
    CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS replay_paused,
    (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS wal_receiver_status,
    pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::text AS replay_backlog_bytes,
    pg_last_xact_replay_timestamp()::text AS last_replay_at`,
  replication: `SELECT application_name, client_addr::text AS client_addr, state, sync_state,
    sent_lsn::text AS sent_lsn, replay_lsn::text AS replay_lsn,
    pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS replay_lag_bytes,
    (extract(epoch FROM replay_lag) * 1000)::text AS replay_lag_ms
    FROM pg_stat_replication ORDER BY application_name`,
  // clock_timestamp(): the real time now, not the transaction start
  heartbeat: "SELECT node, seq::text AS seq, (extract(epoch FROM clock_timestamp() - ts) * 1000)::text AS lag_ms FROM heartbeat ORDER BY ts DESC",
  // this server's clock, and the heartbeats of primaries other than $1 replayed here after seq $2
  // (newest first, at most $3): one row with the clock alone when there are none
  heartbeatLog: `SELECT (extract(epoch FROM clock_timestamp()) * 1000)::text AS now_ms, h.seq, h.ts_ms FROM (SELECT 1) c
    LEFT JOIN LATERAL (SELECT seq::text AS seq, (extract(epoch FROM ts) * 1000)::text AS ts_ms FROM heartbeat_log
      WHERE node <> $1 AND seq > $2::bigint ORDER BY seq DESC LIMIT $3) h ON true`,
} as const;

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function parseNodeStatus(row: Record<string, unknown>): NodeStatus {
  return {
    inRecovery: row.in_recovery === true || row.in_recovery === "t",
    currentLsn: str(row.current_lsn),
    receiveLsn: str(row.receive_lsn),
    replayLsn: str(row.replay_lsn),
    replayPaused: row.replay_paused === null || row.replay_paused === undefined ? null : row.replay_paused === true || row.replay_paused === "t",
    walReceiverStatus: str(row.wal_receiver_status),
    replayBacklogBytes: num(row.replay_backlog_bytes),
    lastReplayAt: str(row.last_replay_at),
  };
}

export function parseReplicationRows(rows: Record<string, unknown>[]): ReplicationRow[] {
  return rows.map((r) => ({
    applicationName: String(r.application_name ?? ""),
    clientAddr: str(r.client_addr),
    state: String(r.state ?? ""),
    syncState: String(r.sync_state ?? ""),
    sentLsn: str(r.sent_lsn),
    replayLsn: str(r.replay_lsn),
    replayLagBytes: num(r.replay_lag_bytes),
    replayLagMs: num(r.replay_lag_ms),
  }));
}

/** Newest heartbeat first (the query orders by ts): its age is the replica's lag. */
export function parseHeartbeat(rows: Record<string, unknown>[]): PgHeartbeat | null {
  const first = rows[0];
  if (!first) return null;
  const lag = num(first.lag_ms);
  if (lag === null) return null;
  return { node: String(first.node), seq: num(first.seq) ?? 0, lagMs: Math.max(0, Math.round(lag * 10) / 10) };
}

/** "16/B374D848" → byte position (as bigint: LSNs exceed 2^53 on long-lived clusters). */
export function parseLsn(lsn: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(lsn.trim());
  if (!m) throw new Error(`bad LSN "${lsn}"`);
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/** pg_wal_lsn_diff in TypeScript: a − b in bytes. */
export function lsnDiff(a: string, b: string): bigint {
  return parseLsn(a) - parseLsn(b);
}
