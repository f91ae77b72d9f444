export interface MariadbEndpoint {
  /** a name a person recognises, e.g. "galera-2" */
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
}

/** One row of SHOW GLOBAL STATUS / SHOW VARIABLES as mysql2 returns it. */
export interface StatusRow {
  Variable_name: string;
  Value: string;
}

export interface WsrepStatus {
  /** false when the server runs without Galera (wsrep_on=OFF or no wsrep_* status at all) */
  enabled: boolean;
  clusterSize: number | null;
  /** "Primary" | "non-Primary" | "Disconnected" */
  clusterStatus: string | null;
  /** Synced, Donor/Desynced, Joining, Joined, Initialized … */
  localState: string | null;
  ready: boolean;
  connected: boolean;
  /** fraction of time replication was paused by flow control since the last FLUSH STATUS, 0–1 */
  flowControlPaused: number | null;
  flowControlSent: number | null;
  recvQueue: number | null;
  sendQueue: number | null;
  clusterStateUuid: string | null;
  lastCommitted: number | null;
  nodeName: string | null;
}

/** One replication connection from SHOW ALL REPLICAS STATUS (MariaDB multi-source). */
export interface ReplicaStatus {
  connectionName: string;
  sourceHost: string;
  sourcePort: number;
  ioRunning: "Yes" | "No" | "Connecting" | string;
  sqlRunning: "Yes" | "No" | string;
  lastIoError: string;
  lastSqlError: string;
  /** 1 s resolution and 0 while the source has lost quorum: shown, never used alone for lag */
  secondsBehindMaster: number | null;
  gtidIoPos: string;
  gtidSlavePos: string | null;
  usingGtid: string;
  sqlState: string;
}

export interface HeartbeatLag {
  /** the region whose heartbeat row this is (the source of the replication stream) */
  region: string;
  node: string;
  seq: number;
  ts: string;
  /** receiver's SYSDATE(6) minus the source's stamp, in ms */
  lagMs: number;
}

export interface ServerRole {
  readOnly: boolean;
  serverId: number;
  gtidCurrentPos: string;
  gtidSlavePos: string;
  wsrepOn: boolean;
}
