export interface PostgresEndpoint {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface NodeStatus {
  inRecovery: boolean;
  /** primary: pg_current_wal_lsn(); replica: null */
  currentLsn: string | null;
  receiveLsn: string | null;
  replayLsn: string | null;
  replayPaused: boolean | null;
  /** pg_stat_wal_receiver.status on a replica ("streaming", …); null when no receiver runs */
  walReceiverStatus: string | null;
  /** bytes received but not yet replayed (replica) */
  replayBacklogBytes: number | null;
  lastReplayAt: string | null;
}

export interface ReplicationRow {
  applicationName: string;
  clientAddr: string | null;
  state: string;
  syncState: string;
  sentLsn: string | null;
  replayLsn: string | null;
  /** pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) */
  replayLagBytes: number | null;
  /** pg_stat_replication.replay_lag in ms (null when idle: PostgreSQL clears it) */
  replayLagMs: number | null;
}

export interface PgHeartbeat {
  node: string;
  seq: number;
  lagMs: number;
}
