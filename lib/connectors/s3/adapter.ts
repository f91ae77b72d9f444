import "server-only";
// Object-store health for one region: endpoint liveness, replication lag into it by canary
// object, and the replication backlog towards it.
import type { ComponentHealth, Figure } from "@/lib/federation/types";
import { fetchText } from "../errors";
import type { ObjectStoreClient } from "./client";
import { backlogInto, canaryLagMs, parseCanary, parseReplicationMetrics } from "./parse";

export interface ObjectStoreProbe {
  name: string;
  regionId: string;
  local: ObjectStoreClient;
  /** other regions' stores, to read their own copy of their canary */
  peers: { regionId: string; client: ObjectStoreClient }[];
  canaryBucket: string;
  canaryPrefix: string;
  canaryIntervalMs: number;
  /** replication metrics URL (MinIO: /minio/v2/metrics/cluster; lab: the replicator) */
  replicationMetricsUrl: string | null;
  lagDegradedMs: number;
  timeoutMs: number;
  /** Canary lag polled more often than the probe runs (current, worst since the last sample); else read now. */
  measuredLag?: { currentMs: number | null; peakMs: number | null } | null;
}

export async function objectStoreHealth(p: ObjectStoreProbe): Promise<ComponentHealth> {
  const measuredAt = Date.now();
  const figures: Figure[] = [];
  try {
    await p.local.live();
  } catch (e) {
    return { kind: "object_store", name: p.name, status: "down", reason: `object store unreachable: ${(e as Error).message}`, figures, measuredAt };
  }
  const reasons: string[] = [];
  let lag: number | null = p.measuredLag?.currentMs ?? null;
  let peak: number | null = lag === null ? null : (p.measuredLag?.peakMs ?? lag);
  for (const peer of lag === null ? p.peers : []) {
    const key = `${p.canaryPrefix}${peer.regionId}`;
    const [copy, orig] = await Promise.allSettled([p.local.getText(p.canaryBucket, key), peer.client.getText(p.canaryBucket, key)]);
    const copyC = copy.status === "fulfilled" && copy.value ? parseCanary(copy.value) : null;
    const origC = orig.status === "fulfilled" && orig.value ? parseCanary(orig.value) : null;
    const l = canaryLagMs(origC, copyC, Date.now(), p.canaryIntervalMs);
    if (l === null) reasons.push(`no canary from ${peer.regionId} replicated yet`);
    else lag = peak = Math.max(lag ?? 0, l);
  }
  figures.push(
    { key: "canary_lag_ms", label: "Object replication lag (canary)", value: lag, unit: "ms" },
    { key: "canary_lag_peak_ms", label: "Object replication lag, worst since the last sample", value: peak, unit: "ms" },
  );
  let backlog: number | null = null;
  if (p.replicationMetricsUrl) {
    try {
      backlog = backlogInto(parseReplicationMetrics((await fetchText("s3", p.replicationMetricsUrl, p.timeoutMs)).text), p.regionId);
    } catch (e) {
      reasons.push(`replication metrics unavailable: ${(e as Error).message}`);
    }
  }
  figures.push({ key: "backlog", label: "Objects pending replication", value: backlog, unit: "objects" });
  if (lag !== null && lag > p.lagDegradedMs) reasons.push(`object replication ${Math.round(lag)} ms behind (SLO ${p.lagDegradedMs} ms)`);
  return {
    kind: "object_store",
    name: p.name,
    status: reasons.length ? "degraded" : "up",
    reason: reasons.length ? reasons.join("; ") : null,
    figures,
    measuredAt,
  };
}
