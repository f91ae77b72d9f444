import "server-only";
// MariaDB / Galera operations and health for the console: wsrep state, cross-region replicas,
// heartbeat lag, read_only fencing, promotion and demotion.
import type { ComponentHealth, Figure } from "@/lib/federation/types";
import { ConnectorError } from "../errors";
import { BEATS_PER_READ, parseBeatRows } from "../heartbeat-log";
import type { ApplyPoll } from "@/lib/telemetry/apply-lag";
import { MariadbClient } from "./client";
import {
  SQL,
  crossRegionLagMs,
  gtidForDomain,
  laterGtid,
  parseBinlogPosition,
  parseGtidWaitResult,
  parseHeartbeatRows,
  parseReplicaStatus,
  parseServerRole,
  parseWsrepStatus,
  replicaProblem,
  type BinlogPosition,
} from "./parse";
import type { HeartbeatLag, MariadbEndpoint, ReplicaStatus, ServerRole, WsrepStatus } from "./types";

const ident = (s: string) => {
  if (!/^[A-Za-z0-9_]+$/.test(s)) throw new ConnectorError("mariadb", "-", "rejected", `bad identifier "${s}"`, false);
  return s;
};
const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

export class MariadbNode {
  readonly client: MariadbClient;

  constructor(
    readonly endpoint: MariadbEndpoint,
    timeoutMs = 800,
  ) {
    this.client = new MariadbClient(endpoint, timeoutMs);
  }
  get name(): string {
    return this.endpoint.name;
  }

  async wsrep(): Promise<WsrepStatus> {
    return { ...parseWsrepStatus(await this.client.query(SQL.wsrep)), nodeName: this.name };
  }
  async replicas(timeoutMs?: number): Promise<ReplicaStatus[]> {
    return parseReplicaStatus(await this.client.query(SQL.replicas, [], timeoutMs));
  }
  async heartbeats(table: string): Promise<HeartbeatLag[]> {
    return parseHeartbeatRows(await this.client.query(SQL.heartbeat(table)));
  }
  /**
   * Heartbeats of `region` this server has applied after seq `after` (null: the newest only), and
   * this server's clock: what a per-heartbeat apply-time reader polls.
   */
  async heartbeatsAfter(table: string, region: string, after: number | null): Promise<ApplyPoll> {
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/.test(table))
      throw new ConnectorError("mariadb", this.client.target, "rejected", `bad table name "${table}"`, false);
    const parsed = parseBeatRows(await this.client.query(SQL.heartbeatLog(table), [region, after ?? -1, after === null ? 1 : BEATS_PER_READ]));
    if (parsed.serverNow === null) throw new ConnectorError("mariadb", this.client.target, "protocol", "server clock unreadable", false);
    return { beats: parsed.beats, serverNow: parsed.serverNow };
  }

  async role(): Promise<ServerRole> {
    const [row] = await this.client.query(SQL.role);
    return parseServerRole(row ?? {});
  }

  /**
   * @@gtid_binlog_pos of this server. On a Galera node the read first waits (wsrep_sync_wait)
   * until the node has applied every write set certified before it; `syncTable` is any table
   * the user can read (the wait only happens for statements that read a table).
   */
  async binlogPosition(galera: boolean, syncTable: string): Promise<BinlogPosition> {
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/.test(syncTable))
      throw new ConnectorError("mariadb", this.client.target, "rejected", `bad table name "${syncTable}"`, false);
    const [row] = await this.client.query(SQL.binlogPos(galera, syncTable));
    try {
      return parseBinlogPosition(row);
    } catch (e) {
      throw new ConnectorError("mariadb", this.client.target, "protocol", (e as Error).message, false);
    }
  }

  /**
   * MASTER_GTID_WAIT on this server (a replica of the GTID's source): resolves once its
   * replication has applied `gtid`; ConnectorError "timeout" (retryable) when not within
   * timeoutMs, "protocol" when the server cannot wait for it. Holds this node's connection for
   * up to timeoutMs: use a node of its own, not one that probes share.
   */
  async waitForGtid(gtid: string, timeoutMs: number): Promise<{ waitedMs: number }> {
    const t0 = performance.now();
    const target = this.client.target;
    const [row] = await this.client.query(SQL.gtidWait, [gtid, Math.max(0, timeoutMs) / 1000], timeoutMs + this.client.timeoutMs);
    const waitedMs = Math.round(performance.now() - t0);
    const r = parseGtidWaitResult(row);
    if (r === "applied") return { waitedMs };
    if (r === "timeout")
      throw new ConnectorError("mariadb", target, "timeout", `${this.name} had not applied ${gtid} within ${timeoutMs} ms (MASTER_GTID_WAIT = -1)`, true);
    throw new ConnectorError("mariadb", target, "protocol", `${this.name} cannot wait for ${gtid} (MASTER_GTID_WAIT = NULL)`, false);
  }

  /** Fencing: read_only stops every writer without READ_ONLY ADMIN (the app users). */
  async setReadOnly(on: boolean): Promise<void> {
    await this.client.query(`SET GLOBAL read_only = ${on ? 1 : 0}`);
  }

  async stopReplica(connection: string, sqlThreadOnly = false): Promise<void> {
    await this.client.query(`STOP SLAVE ${quote(ident(connection))}${sqlThreadOnly ? " SQL_THREAD" : ""}`, [], 10_000);
  }
  async startReplica(connection: string): Promise<void> {
    await this.client.query(`START SLAVE ${quote(ident(connection))}`, [], 10_000);
  }

  /**
   * Holds a replication connection without losing what it already received: its IO thread stops
   * (nothing more arrives; on a blackholed link that can take seconds), the SQL thread applies the
   * relay log up to what was received from `domain` (under semi-synchronous replication those are
   * acknowledged writes), then it stops too. `applied` false: not all applied within waitMs.
   */
  async holdReplica(connection: string, domain: number, waitMs: number): Promise<{ received: string | null; applied: boolean; waitedMs: number }> {
    const t0 = Date.now();
    await this.client.query(`STOP SLAVE ${quote(ident(connection))} IO_THREAD`, [], 10_000);
    // a server that just came back (catching up) may answer slowly: this is an operation, not a probe
    const r = (await this.replicas(10_000)).find((x) => x.connectionName === connection);
    const received = r?.gtidIoPos ? gtidForDomain(r.gtidIoPos, domain) || null : null;
    let applied = true;
    if (received && r?.sqlRunning === "Yes") {
      const [row] = await this.client.query<{ w: number | null }>(
        "SELECT MASTER_GTID_WAIT(?, ?) AS w",
        [received, waitMs / 1000],
        waitMs + this.client.timeoutMs,
      );
      applied = Number(row?.w) === 0;
    } else if (received) applied = false;
    await this.client.query(`STOP SLAVE ${quote(ident(connection))}`, [], 10_000);
    return { received, applied, waitedMs: Date.now() - t0 };
  }

  /**
   * Makes this server an independent writable primary: apply what was already received from the
   * old source (up to waitMs), stop the replication connections from it, lift read_only.
   * Returns the GTID position at promotion and whether the relay log was fully applied.
   */
  async promote(connections: string[], waitMs = 2000): Promise<{ gtid: string; caughtUp: boolean; tookMs: number }> {
    const t0 = Date.now();
    let caughtUp = true;
    const reps = (await this.replicas()).filter((r) => connections.includes(r.connectionName));
    for (const r of reps) {
      if (r.gtidIoPos && r.sqlRunning === "Yes") {
        const [row] = await this.client.query<{ w: number | null }>(
          "SELECT MASTER_GTID_WAIT(?, ?) AS w",
          [r.gtidIoPos, waitMs / 1000],
          waitMs + this.client.timeoutMs,
        );
        if (Number(row?.w) !== 0) caughtUp = false;
      }
    }
    for (const c of connections) await this.stopReplica(c);
    await this.setReadOnly(false);
    const role = await this.role();
    return { gtid: role.gtidCurrentPos, caughtUp, tookMs: Date.now() - t0 };
  }

  /**
   * Makes this server follow `source` (read_only on for clients; replication keeps applying).
   * Creates the connection when it does not exist; resumes from gtid_slave_pos.
   */
  async demote(link: { connection: string; sourceHost: string; sourcePort: number; user: string; password: string }): Promise<void> {
    const c = quote(ident(link.connection));
    await this.setReadOnly(true);
    const exists = (await this.replicas()).some((r) => r.connectionName === link.connection);
    if (!exists) {
      await this.client.query(
        `CHANGE MASTER ${c} TO MASTER_HOST=${quote(link.sourceHost)}, MASTER_PORT=${Number(link.sourcePort)}, MASTER_USER=${quote(link.user)}, MASTER_PASSWORD=${quote(link.password)}, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1, MASTER_HEARTBEAT_PERIOD=1`,
      );
    }
    await this.startReplica(link.connection);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/**
 * Everything a region has written in its own GTID domain so far: the latest GTID of `domain`
 * across the region's reachable nodes (a Galera node may not have applied the newest write set
 * yet; wsrep_sync_wait plus the maximum covers that). Fails only when no node answers.
 */
export async function regionGtidPosition(nodes: MariadbNode[], domain: number, galera: boolean, syncTable: string): Promise<{ gtid: string; nodes: string[] }> {
  const results = await Promise.allSettled(nodes.map((n) => n.binlogPosition(galera, syncTable)));
  let gtid = "";
  const answered: string[] = [];
  const errors: unknown[] = [];
  results.forEach((r, i) => {
    if (r.status === "rejected") return void errors.push(r.reason);
    answered.push(nodes[i].name);
    gtid = laterGtid(gtid, gtidForDomain(r.value.gtidBinlogPos, domain));
  });
  if (answered.length === 0) {
    const first = errors[0];
    if (first instanceof ConnectorError) throw first;
    throw new ConnectorError("mariadb", nodes.map((n) => n.client.target).join(","), "unreachable", `no node answered: ${(first as Error)?.message}`, true);
  }
  return { gtid, nodes: answered };
}

export interface ClusterProbe {
  name: string;
  regionId: string;
  galera: boolean;
  nodes: MariadbNode[];
  heartbeatTable: string;
  /**
   * replication connections that should run on a node of this region: node name → connection;
   * `held`: stopped on purpose (a failover holds what the lost region sends until a person decides)
   */
  inboundLinks: { node: string; connection: string; held?: string | null }[];
  lagDegradedMs: number;
  /**
   * Lag measured per heartbeat at apply time by a reader of the heartbeat log (the current value
   * and the worst since the previous sample). Without it, or while it has no reading, the lag is
   * the newest heartbeat's age, read now.
   */
  measuredLag?: { currentMs: number | null; peakMs: number | null } | null;
}

type NodeResult =
  | { node: MariadbNode; ok: true; wsrep: WsrepStatus; replicas: ReplicaStatus[] | null; role: ServerRole }
  | { node: MariadbNode; ok: false; error: string };

/** Galera cluster (or single MariaDB) health of one region, with cross-region heartbeat lag. */
export async function clusterHealth(p: ClusterProbe): Promise<{ health: ComponentHealth; lagMs: number | null }> {
  const measuredAt = Date.now();
  const results: NodeResult[] = await Promise.all(
    p.nodes.map(async (node): Promise<NodeResult> => {
      try {
        const needsReplicas = p.inboundLinks.some((l) => l.node === node.name);
        const [wsrep, role, replicas] = await Promise.all([node.wsrep(), node.role(), needsReplicas ? node.replicas() : Promise.resolve(null)]);
        return { node, ok: true, wsrep, replicas, role };
      } catch (e) {
        return { node, ok: false, error: (e as Error).message };
      }
    }),
  );
  const reasons: string[] = [];
  let down = false;
  const ok = results.filter((r): r is Extract<NodeResult, { ok: true }> => r.ok);
  for (const r of results) if (!r.ok) reasons.push(`node ${r.node.name} unreachable: ${r.error}`);

  if (p.galera) {
    const primary = ok.filter((r) => r.wsrep.clusterStatus === "Primary" && r.wsrep.ready);
    for (const r of ok) {
      if (r.wsrep.clusterStatus !== "Primary") reasons.push(`node ${r.node.name} ${r.wsrep.clusterStatus ?? "not in a cluster"} (no quorum)`);
      else if (r.wsrep.localState !== "Synced") reasons.push(`node ${r.node.name} ${r.wsrep.localState}`);
    }
    if (primary.length === 0) {
      down = true;
      if (ok.length > 0) reasons.unshift("no node in a primary component: the cluster has lost quorum");
    }
  }
  if (ok.length === 0) down = true;

  // cross-region replication into this region
  for (const link of p.inboundLinks) {
    const r = results.find((x) => x.node.name === link.node);
    if (!r?.ok) {
      reasons.push(`replica ${link.connection} unavailable (node ${link.node} down)`);
      continue;
    }
    const rep = r.replicas?.find((x) => x.connectionName === link.connection);
    if (!rep) reasons.push(`replica ${link.connection} not configured on ${link.node}`);
    else if (link.held && rep.ioRunning !== "Yes" && rep.sqlRunning !== "Yes") reasons.push(`replica ${link.connection} held: ${link.held}`);
    else {
      const prob = replicaProblem(rep);
      if (prob) reasons.push(prob);
    }
  }

  let lagMs: number | null = p.measuredLag?.currentMs ?? null;
  let peakMs: number | null = lagMs === null ? null : (p.measuredLag?.peakMs ?? lagMs);
  for (const r of lagMs === null ? ok : []) {
    try {
      const lag = crossRegionLagMs(await r.node.heartbeats(p.heartbeatTable), p.regionId);
      if (lag) lagMs = peakMs = lag.lagMs;
      break;
    } catch {
      /* next node */
    }
  }
  // a held link's heartbeat ages by design: the held reason says so, not an SLO breach
  const allHeld = p.inboundLinks.length > 0 && p.inboundLinks.every((l) => l.held);
  if (lagMs !== null && lagMs > p.lagDegradedMs && !allHeld)
    reasons.push(`cross-region replication ${Math.round(lagMs)} ms behind (SLO ${p.lagDegradedMs} ms)`);

  const first = ok[0];
  const sbm = ok.flatMap((r) => r.replicas ?? []).map((x) => x.secondsBehindMaster);
  const fenced = ok.length > 0 && ok.every((r) => r.role.readOnly);
  if (fenced) reasons.push("fenced: read_only on every node");
  const figures: Figure[] = [
    { key: "cross_region_lag_ms", label: "Cross-region lag (heartbeat)", value: lagMs, unit: "ms" },
    { key: "cross_region_lag_peak_ms", label: "Cross-region lag, worst since the last sample", value: peakMs, unit: "ms" },
    { key: "nodes_up", label: "Nodes reachable", value: ok.length, unit: `of ${p.nodes.length}` },
  ];
  if (p.galera) {
    figures.push(
      { key: "cluster_size", label: "Cluster size", value: first ? first.wsrep.clusterSize : null, unit: "nodes" },
      { key: "flow_control_paused_pct", label: "Flow control paused", value: first ? pct(maxOf(ok.map((r) => r.wsrep.flowControlPaused))) : null, unit: "%" },
      { key: "recv_queue", label: "Receive queue", value: first ? maxOf(ok.map((r) => r.wsrep.recvQueue)) : null, unit: "writesets" },
    );
  }
  figures.push(
    { key: "seconds_behind_master", label: "Seconds_Behind_Master (1 s resolution)", value: sbm.length ? maxOf(sbm) : null, unit: "s" },
    { key: "read_only", label: "Fenced (read_only, 1 = yes)", value: ok.length ? (fenced ? 1 : 0) : null, unit: "" },
  );
  const status: ComponentHealth["status"] = down ? "down" : reasons.length ? "degraded" : "up";
  return {
    health: { kind: "galera", name: p.name, status, reason: reasons.length ? reasons.join("; ") : null, figures, measuredAt },
    lagMs,
  };
}

function maxOf(v: (number | null)[]): number | null {
  const n = v.filter((x): x is number => x !== null);
  return n.length ? Math.max(...n) : null;
}

/** wsrep_flow_control_paused is a fraction of time; shown as a percentage. */
function pct(fraction: number | null): number | null {
  return fraction === null ? null : Math.round(fraction * 1000) / 10;
}
