// Pure: the rows a per-heartbeat apply-time reader gets back from a replica's heartbeat log
// (MariaDB and PostgreSQL alike): one row per heartbeat newer than the last one seen, each with
// the replica's clock, or a single row with the clock alone when nothing new was applied (one
// round trip either way). Numbers may come back as text.
import type { ApplyPoll } from "@/lib/telemetry/apply-lag";

/** How many heartbeats one read returns at most (the ring holds 4,096). */
export const BEATS_PER_READ = 8192;

function num(v: unknown): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/** Rows of (now_ms, seq, ts_ms): the heartbeats oldest first, and the replica's clock (null: unreadable). */
export function parseBeatRows(rows: Record<string, unknown>[]): { beats: ApplyPoll["beats"]; serverNow: number | null } {
  const beats = rows
    .map((r) => ({ seq: num(r.seq), ts: num(r.ts_ms) }))
    .filter((b): b is { seq: number; ts: number } => b.seq !== null && b.ts !== null)
    .sort((a, b) => a.seq - b.seq);
  return { beats, serverNow: num(rows[0]?.now_ms) };
}
