import type { Database } from "@/lib/db/client";
import type { Federation } from "@/lib/federation/types";
import type { LiveHealth } from "@/lib/telemetry/live";
import type { Bus } from "@/lib/realtime/bus";
import type { Poller } from "@/workers/poller";
import type { TenantProber } from "@/workers/tenant-prober";
import type { Orchestrator } from "@/workers/orchestrator";
import type { Repinner } from "@/workers/repin";
import type { TelemetryPipeline } from "@/workers/telemetry";
import type { HistoryStore } from "@/lib/telemetry/history";
import type { AlertEngine } from "@/lib/telemetry/alerts";
import type { Env } from "@/lib/env";
import type { Actor } from "@/lib/auth/permissions";
import type { ServiceContext } from "@/lib/context";

// The process's long-lived parts, created once by server.ts before it accepts traffic.
// Kept on globalThis because Next.js loads route code as separate module instances from the
// server's own: a module-level singleton would be made twice.
export interface Runtime {
  env: Env;
  database: Database;
  federation: Federation;
  live: LiveHealth;
  bus: Bus;
  poller: Poller;
  prober: TenantProber;
  orchestrator: Orchestrator;
  repinner: Repinner;
  history: HistoryStore;
  alerts: AlertEngine;
  pipeline: TelemetryPipeline;
  startedAt: number;
}

const KEY = Symbol.for("federation-console.runtime");
type Holder = { [KEY]?: Runtime };

export function setRuntime(r: Runtime | undefined): void {
  (globalThis as Holder)[KEY] = r;
}

export function runtime(): Runtime {
  const r = (globalThis as Holder)[KEY];
  if (!r) throw new Error("the console's runtime is not started: run the console through server.ts");
  return r;
}

export function serviceContext(actor: Actor, requestId: string): ServiceContext {
  const r = runtime();
  return {
    db: r.database.prisma,
    federation: r.federation,
    live: r.live,
    bus: r.bus,
    actor,
    requestId,
    refresh: () => r.poller.pollNow(),
  };
}
