import "server-only";
import type { Runtime, WorkerHealth } from "@/lib/runtime";

export interface ConsoleHealth {
  ok: boolean;
  uptimeSeconds: number;
  lastSampleAgeMs: number | null;
  workers: Omit<WorkerHealth, "lastError">[];
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
  return { ok, uptimeSeconds: Math.round((now - rt.startedAt) / 1000), lastSampleAgeMs, workers };
}
