import "server-only";
// PostgreSQL operations and health: role, streaming state, heartbeat lag (ms) and LSN lag
// (bytes), promotion, WAL replay pause/resume for drills.
import type { ComponentHealth, Figure } from "@/lib/federation/types";
import { PostgresClient } from "./client";
import { BEATS_PER_READ, parseBeatRows } from "../heartbeat-log";
import type { ApplyPoll } from "@/lib/telemetry/apply-lag";
import { SQL, parseHeartbeat, parseNodeStatus, parseReplicationRows } from "./parse";
import type { NodeStatus, PgHeartbeat, PostgresEndpoint, ReplicationRow } from "./types";

export class PostgresNode {
  readonly client: PostgresClient;

  constructor(
    readonly endpoint: PostgresEndpoint,
    timeoutMs = 800,
  ) {
    this.client = new PostgresClient(endpoint, timeoutMs);
  }
  get name(): string {
    return this.endpoint.name;
  }

  async status(): Promise<NodeStatus> {
    const [row] = await this.client.query(SQL.status);
    return parseNodeStatus(row ?? {});
  }
  async replication(): Promise<ReplicationRow[]> {
    return parseReplicationRows(await this.client.query(SQL.replication));
  }
  async heartbeat(): Promise<PgHeartbeat | null> {
    return parseHeartbeat(await this.client.query(SQL.heartbeat));
  }
  /** Heartbeats of other nodes (the primaries) replayed here after seq `after` (null: the newest), and this server's clock. */
  async heartbeatsAfter(after: number | null): Promise<ApplyPoll> {
    const parsed = parseBeatRows(await this.client.query(SQL.heartbeatLog, [this.name, String(after ?? -1), after === null ? 1 : BEATS_PER_READ]));
    if (parsed.serverNow === null) throw new Error(`${this.name}: server clock unreadable`);
    return { beats: parsed.beats, serverNow: parsed.serverNow };
  }

  /** pg_promote(wait => true): returns once the server accepts writes (or waitSeconds pass). */
  async promote(waitSeconds = 10): Promise<{ promoted: boolean; tookMs: number }> {
    const t0 = Date.now();
    const [row] = await this.client.query<{ ok: boolean }>("SELECT pg_promote(true, $1) AS ok", [waitSeconds], (waitSeconds + 1) * 1000);
    return { promoted: row?.ok === true, tookMs: Date.now() - t0 };
  }
  async pauseReplay(): Promise<void> {
    await this.client.query("SELECT pg_wal_replay_pause()");
  }
  async resumeReplay(): Promise<void> {
    await this.client.query("SELECT pg_wal_replay_resume()");
  }
  close(): Promise<void> {
    return this.client.close();
  }
}

export interface PostgresProbe {
  name: string;
  node: PostgresNode;
  /** what the federation expects of this node now */
  expectedRole: "primary" | "replica";
  lagDegradedMs: number;
  /**
   * The replicas a primary must stream to, and the region that reads from each: a missing one
   * makes the primary degraded, saying what fails because of it.
   */
  expectedReplicas?: { name: string; regionName: string }[];
  /** Lag measured per heartbeat at replay time by a reader (current, worst since the last sample); else read now. */
  measuredLag?: { currentMs: number | null; peakMs: number | null } | null;
}

export async function postgresHealth(p: PostgresProbe): Promise<{ health: ComponentHealth; lagMs: number | null; lagBytes: number | null }> {
  const measuredAt = Date.now();
  let st: NodeStatus;
  try {
    st = await p.node.status();
  } catch (e) {
    return {
      health: { kind: "postgres", name: p.name, status: "down", reason: `${p.node.name} unreachable: ${(e as Error).message}`, figures: [], measuredAt },
      lagMs: null,
      lagBytes: null,
    };
  }
  const reasons: string[] = [];
  const figures: Figure[] = [];
  let lagMs: number | null = null;
  let lagBytes: number | null = null;
  if (!st.inRecovery) {
    if (p.expectedRole === "replica") reasons.push(`${p.node.name} is a primary (promoted); expected a replica`);
    try {
      const reps = await p.node.replication();
      const streaming = reps.filter((r) => r.state === "streaming");
      figures.push({
        key: "streaming_replicas",
        label: "Streaming replicas",
        value: streaming.length,
        unit: `of ${p.expectedReplicas?.length ?? streaming.length}`,
      });
      for (const want of p.expectedReplicas ?? []) {
        // a replica reports its cluster_name as application_name
        if (streaming.some((r) => r.applicationName === want.name)) continue;
        reasons.push(`replica ${want.name} is not streaming from this primary: ${want.regionName} reads of the guideline corpus fail or are stale`);
      }
      const worst = reps.map((r) => r.replayLagBytes).filter((x): x is number => x !== null);
      lagBytes = worst.length ? Math.max(...worst) : null;
      figures.push({ key: "replica_lag_bytes", label: "Replica replay lag (LSN)", value: lagBytes, unit: "bytes" });
    } catch (e) {
      reasons.push(`pg_stat_replication unreadable: ${(e as Error).message}`);
    }
  } else {
    if (p.expectedRole === "primary") reasons.push(`${p.node.name} is in recovery; expected the primary`);
    if (st.walReceiverStatus !== "streaming") reasons.push(`WAL receiver ${st.walReceiverStatus ?? "not running"} (primary unreachable?)`);
    if (st.replayPaused) reasons.push("WAL replay paused");
    lagBytes = st.replayBacklogBytes;
    lagMs = p.measuredLag?.currentMs ?? null;
    let peakMs = lagMs === null ? null : (p.measuredLag?.peakMs ?? lagMs);
    if (lagMs === null) {
      try {
        const hb = await p.node.heartbeat();
        lagMs = peakMs = hb ? hb.lagMs : null;
      } catch (e) {
        reasons.push(`heartbeat unreadable: ${(e as Error).message}`);
      }
    }
    if (lagMs !== null && lagMs > p.lagDegradedMs) reasons.push(`replay ${Math.round(lagMs)} ms behind (SLO ${p.lagDegradedMs} ms)`);
    figures.push(
      { key: "replay_lag_ms", label: "Replay lag (heartbeat)", value: lagMs, unit: "ms" },
      { key: "replay_lag_peak_ms", label: "Replay lag, worst since the last sample", value: peakMs, unit: "ms" },
      { key: "replay_lag_bytes", label: "Received, not replayed", value: lagBytes, unit: "bytes" },
    );
  }
  return {
    health: {
      kind: "postgres",
      name: `${p.name} ${st.inRecovery ? "replica" : "primary"}`,
      status: reasons.length ? "degraded" : "up",
      reason: reasons.length ? reasons.join("; ") : null,
      figures,
      measuredAt,
    },
    lagMs,
    lagBytes,
  };
}
