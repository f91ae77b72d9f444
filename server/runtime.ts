import "server-only";
import { openDatabase } from "@/lib/db/client";
import { createFederation } from "@/lib/federation/index";
import { LiveHealth } from "@/lib/telemetry/live";
import { Bus } from "@/lib/realtime/bus";
import { HistoryStore } from "@/lib/telemetry/history";
import { AlertEngine } from "@/lib/telemetry/alerts";
import { StallDetector } from "@/lib/telemetry/stall";
import { residencyLocks, routeTable } from "@/lib/tenants/service";
import { reconcileRoutesAtStart } from "@/lib/routes/service";
import { setRuntime, type Runtime, type Worker } from "@/lib/runtime";
import type { Services } from "@/lib/context";
import type { Env } from "@/lib/env";
import { createLimits } from "@/lib/http/rate-limit";
import { flushRefusalWindows } from "@/lib/ops/refusal-log";
import { seed } from "@/prisma/seed";
import { Poller } from "@/workers/poller";
import { TenantProber } from "@/workers/tenant-prober";
import { Orchestrator } from "@/workers/orchestrator";
import { Repinner } from "@/workers/repin";
import { TelemetryPipeline } from "@/workers/telemetry";
import { RegionWatch } from "@/workers/region-watch";
import { FailoverLive } from "@/lib/failover/live";

// The composition root: the only place that knows every part of the console. It opens the
// database (migrations + idempotent seed), connects the federation, compares the router's table
// with the database's (pushing it only into an empty router; a difference is recorded as drift,
// never overwritten), makes the region marks equal, builds the services, and starts the workers.

export async function buildRuntime(env: Env, opts: { pglite?: "disk" | "memory" } = {}): Promise<Runtime> {
  const database = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: opts.pglite === "memory" ? undefined : `${env.dataDir}/pglite`,
  });
  const db = database.prisma;
  await seed(db, { demoPassword: env.DEMO_PASSWORD });
  const regions = await db.region.findMany({ orderBy: { sortOrder: "asc" } });
  const federation = await createFederation(env.FEDERATION_MODE, regions, { seed: env.SIM_SEED });
  const bus = new Bus();
  // Never overwrite a router that holds routes: equal → nothing; empty → push ours; different →
  // record the drift for an admin to resolve (lib/routes).
  await reconcileRoutesAtStart({ db, federation, bus });
  for (const c of await db.regionControl.findMany({ where: { down: true } })) await federation.setRegionDown(c.regionId, true);

  const live = new LiveHealth();
  // First to start, last to stop: every probe result is checked against the console's own stalls.
  const stalls = new StallDetector({ thresholdMs: env.STALL_THRESHOLD_MS });
  stalls.onStall((s) => bus.emit("console:stalled", s));
  stalls.start();
  const history = new HistoryStore(db);
  const alerts = new AlertEngine(db, bus);
  const poller = new Poller(federation, live, bus, env.POLL_INTERVAL_MS, undefined, stalls);
  const prober = new TenantProber(federation, live, history, bus, env.TENANT_PROBE_INTERVAL_MS, undefined, stalls);
  const failover = new FailoverLive({
    confirmMs: env.FAILOVER_CONFIRM_MS,
    heartbeatStaleMs: env.FAILOVER_HEARTBEAT_STALE_MS,
    holdDownMs: env.FAILOVER_HOLD_DOWN_MS,
  });
  const services: Services = { db, federation, live, bus, history, alerts, probes: prober.latest, stalls, failover, refresh: () => poller.pollNow() };

  let locks: Record<string, string[]> = {};
  const refreshTenants = async () => {
    prober.setTenants(await routeTable(db));
    locks = await residencyLocks(db);
  };
  await refreshTenants();
  // Region status as clinics feel it: failing tenant probes and tenants served elsewhere count.
  poller.countTenantImpact(
    () => prober.routes,
    prober.latest,
    () => locks,
  );
  // A probe taken before a change says nothing about after it: the tenants a change concerns are
  // probed again at once (a region marked up or down, tenants re-routed by a switch, move or
  // failover), so the screen never shows a failure that ended, or a success that did, as live.
  const reprobe = (slugs: string[]) => {
    for (const t of slugs) void prober.probe(t).catch(() => undefined);
  };
  bus.on(
    "tenants:changed",
    (e) =>
      void refreshTenants().then(async () => {
        const rows = await db.tenant.findMany({ where: { id: { in: e.tenantIds } }, select: { slug: true } });
        reprobe(rows.map((r) => r.slug));
      }),
  );
  bus.on("regions:changed", (e) =>
    reprobe(
      Object.entries(prober.routes)
        .filter(([, r]) => r === e.regionId)
        .map(([t]) => t),
    ),
  );

  // Start order matters: storage listens before the first sample; the orchestrator (the one engine
  // of long operations, lib/engine, with every kind registered: workers/orchestrator.ts) runs
  // pre-flight checks that read live health, so it starts after the first sample.
  const pipeline = new TelemetryPipeline(bus, history, alerts);
  const orchestrator = new Orchestrator(database, services, { concurrency: env.MOVE_CONCURRENCY });
  const repinner = new Repinner(services, { holdDownMs: env.REPIN_HOLD_DOWN_MS });
  // F1/F2: leases and detection; it may queue failovers, which the orchestrator runs.
  const watch = new RegionWatch(services, regions, stalls);
  const workers: Worker[] = [stalls, pipeline, poller, prober, watch, orchestrator, repinner];
  const rt: Runtime = { env, database, services, workers, limits: createLimits(env, database), startedAt: Date.now() };
  setRuntime(rt);
  await pipeline.start();
  await poller.pollNow();
  for (const w of workers) if (w !== pipeline && w !== stalls) await w.start();
  return rt;
}

/** SIGTERM: workers stop in reverse order (each finishes what it has in hand), then connections close. */
export async function shutdownRuntime(rt: Runtime): Promise<void> {
  for (const w of [...rt.workers].reverse()) {
    try {
      await w.stop();
    } catch (e) {
      console.error(`[shutdown] ${w.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  await flushRefusalWindows(rt.services);
  await rt.services.federation.close();
  await rt.database.close();
  setRuntime(undefined);
}
