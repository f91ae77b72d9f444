import "server-only";
import type { Runtime, WorkerHealth } from "@/lib/runtime";

export interface ConsoleHealth {
  ok: boolean;
  uptimeSeconds: number;
  lastSampleAgeMs: number | null;
  workers: Omit<WorkerHealth, "lastError">[];
  /** The console's own event-loop stalls (lib/telemetry/stall.ts): counted, never a reason for 503. */
  stalls: {
    thresholdMs: number;
    count: number;
    totalMs: number;
    longestMs: number;
    /** When the last stall started (ISO), and how long it lasted. */
    lastAt: string | null;
    lastDurationMs: number | null;
    /** p99 of the event loop's delay over the last one to two minutes. */
    eventLoopDelayP99Ms: number | null;
    /** Probe results discarded (and re-taken) because they spanned a stall. */
    discardedProbeResults: number;
  };
}

/** The console's own health: samples arriving, and each worker's state (never its error text). */
export function consoleHealth(rt: Runtime, now = Date.now()): ConsoleHealth {
  const newest = Math.max(0, ...rt.services.live.regions().map((r) => r.measuredAt));
  const lastSampleAgeMs = newest ? now - newest : null;
  const workers = rt.workers.map((w) => {
    const { lastError: _hidden, ...rest } = w.health();
    return rest;
  });
  const fresh = lastSampleAgeMs !== null && lastSampleAgeMs < rt.env.POLL_INTERVAL_MS * 5;
  const ok = fresh && workers.every((w) => w.state !== "stopped");
  const s = rt.services.stalls.figures();
  const stalls = {
    thresholdMs: s.thresholdMs,
    count: s.count,
    totalMs: s.totalMs,
    longestMs: s.longestMs,
    lastAt: s.last ? new Date(s.last.startedAt).toISOString() : null,
    lastDurationMs: s.last?.durationMs ?? null,
    eventLoopDelayP99Ms: s.delayP99Ms === null ? null : Math.round(s.delayP99Ms * 10) / 10,
    discardedProbeResults: Object.values(s.discarded).reduce((a, b) => a + b, 0),
  };
  return { ok, uptimeSeconds: Math.round((now - rt.startedAt) / 1000), lastSampleAgeMs, workers, stalls };
}
