import { NextResponse } from "next/server";
import { runtime } from "@/lib/runtime";

// Liveness/readiness of the console itself (no tenant data): for load balancers and scripts.
export async function GET() {
  const rt = runtime();
  const newest = Math.max(0, ...rt.live.regions().map((r) => r.measuredAt));
  const sampleAgeMs = newest ? Date.now() - newest : null;
  const ok = sampleAgeMs !== null && sampleAgeMs < rt.env.POLL_INTERVAL_MS * 5;
  return NextResponse.json(
    {
      ok,
      mode: rt.env.FEDERATION_MODE,
      database: rt.database.kind,
      uptimeSeconds: Math.round((Date.now() - rt.startedAt) / 1000),
      lastSampleAgeMs: sampleAgeMs,
      // Components report their own failures in the samples; these are the console's own jobs.
      telemetryError: rt.pipeline.lastError,
      orchestratorError: rt.orchestrator.lastError,
    },
    { status: ok ? 200 : 503 },
  );
}
