// Pure parsers: canary object bodies and MinIO bucket-replication metrics.
import { parsePrometheusText } from "../prometheus/parse";
import type { Canary, ReplicationBacklog } from "./types";

export function parseCanary(body: string): Canary {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    throw new Error("canary object is not JSON");
  }
  const o = v as Partial<Canary>;
  if (typeof o.region !== "string" || typeof o.ts !== "number" || !Number.isFinite(o.ts)) throw new Error("canary object lacks region/ts");
  return { region: o.region, ts: o.ts, seq: typeof o.seq === "number" ? o.seq : 0 };
}

/**
 * Replication lag into the target, by canary. Canaries are written every `canaryIntervalMs`; when
 * the target's copy is older than the source's, the oldest canary still missing was written at
 * about copy.ts + interval (or is the source's newest), and the target is stale since then.
 * When the source cannot be read, that same bound is used from the copy alone.
 */
export function canaryLagMs(sourceCopy: Canary | null, targetCopy: Canary | null, now: number, canaryIntervalMs: number): number | null {
  if (!targetCopy) return null;
  if (sourceCopy && targetCopy.ts >= sourceCopy.ts) return 0;
  const firstMissing = sourceCopy ? Math.min(sourceCopy.ts, targetCopy.ts + canaryIntervalMs) : targetCopy.ts + canaryIntervalMs;
  return Math.max(0, now - firstMissing);
}

/** MinIO replication metrics (minio_bucket_replication_*{bucket,source,target}). */
export function parseReplicationMetrics(text: string): ReplicationBacklog[] {
  const exp = parsePrometheusText(text);
  const byKey = new Map<string, ReplicationBacklog>();
  const get = (l: Record<string, string>) => {
    const k = `${l.bucket}|${l.source ?? ""}|${l.target ?? l.targetArn ?? ""}`;
    let b = byKey.get(k);
    if (!b) {
      b = { bucket: l.bucket ?? "", source: l.source ?? "", target: l.target ?? l.targetArn ?? "", pending: 0, failed: 0 };
      byKey.set(k, b);
    }
    return b;
  };
  for (const s of exp.samples) {
    if (s.name === "minio_bucket_replication_pending_count") get(s.labels).pending += s.value;
    if (s.name === "minio_bucket_replication_failed_count") get(s.labels).failed += s.value;
  }
  return [...byKey.values()];
}

/** Objects waiting to reach `target` from anywhere. */
export function backlogInto(rows: ReplicationBacklog[], target: string): number {
  return rows.filter((r) => r.target === target).reduce((a, r) => a + r.pending, 0);
}
