import type { PrismaClient } from "@/lib/db/types";
import type { Federation, TenantProbe } from "@/lib/federation/types";
import type { LiveHealth } from "@/lib/telemetry/live";
import type { HistoryStore } from "@/lib/telemetry/history";
import type { AlertEngine } from "@/lib/telemetry/alerts";
import type { Bus } from "@/lib/realtime/bus";
import type { StallDetector } from "@/lib/telemetry/stall";
import type { Actor } from "@/lib/auth/permissions";
import type { FailoverLive } from "@/lib/failover/live";

/** The console's long-lived parts a domain service may use; built once by the composition root. */
export interface Services {
  db: PrismaClient;
  federation: Federation;
  live: LiveHealth;
  bus: Bus;
  history: HistoryStore;
  alerts: AlertEngine;
  /** Latest synthetic probe per tenant slug (M4). */
  probes: ReadonlyMap<string, TenantProbe>;
  /** The console's own event-loop stalls: probes spanning one are re-taken (lib/telemetry/stall.ts). */
  stalls: StallDetector;
  /** F1/F2: the console's lease grants and each region's latest assessment (workers/region-watch.ts). */
  failover: FailoverLive;
  /** Ask the pollers for a fresh sample now (after a change people will look for). */
  refresh(): Promise<void>;
}

/** What every operation runs with: the services, who acts, and the request it belongs to. */
export interface ServiceContext extends Services {
  actor: Actor;
  requestId: string;
}

/** The one way to make a context: the operation wrappers, workers and tests all call this. */
export function contextFor(services: Services, actor: Actor, requestId: string): ServiceContext {
  return { ...services, actor, requestId };
}
