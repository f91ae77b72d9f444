import { openDatabase } from "@/lib/db/client";
import { createFederation } from "@/lib/federation/index";
import { LiveHealth } from "@/lib/telemetry/live";
import { Bus } from "@/lib/realtime/bus";
import { Poller } from "@/workers/poller";
import { TenantProber } from "@/workers/tenant-prober";
import { Orchestrator } from "@/workers/orchestrator";
import { Repinner } from "@/workers/repin";
import { TelemetryPipeline } from "@/workers/telemetry";
import { HistoryStore } from "@/lib/telemetry/history";
import { AlertEngine } from "@/lib/telemetry/alerts";
import { routeTable } from "@/lib/tenants/service";
import { seed } from "@/prisma/seed";
import { setRuntime, type Runtime } from "@/lib/runtime";
import type { Env } from "@/lib/env";

/**
 * Opens the database (migrations + idempotent seed), connects the federation, makes the
 * router's table and region marks equal to the database's, and starts the pollers.
 */
export async function bootRuntime(env: Env, opts: { pglite?: "disk" | "memory" } = {}): Promise<Runtime> {
  const database = await openDatabase({
    url: env.DATABASE_URL,
    dataDir: opts.pglite === "memory" ? undefined : `${env.dataDir}/pglite`,
  });
  const db = database.prisma;
  await seed(db, { demoPassword: env.DEMO_PASSWORD });
  const regions = await db.region.findMany({ orderBy: { sortOrder: "asc" } });
  const federation = await createFederation(env.FEDERATION_MODE, regions, { seed: env.SIM_SEED });
  await federation.syncRoutes(await routeTable(db));
  for (const c of await db.regionControl.findMany({ where: { down: true } })) await federation.setRegionDown(c.regionId, true);

  const live = new LiveHealth();
  const bus = new Bus();
  const poller = new Poller(federation, live, bus, env.POLL_INTERVAL_MS);
  const history = new HistoryStore(db);
  const alerts = new AlertEngine(db, bus);
  const pipeline = new TelemetryPipeline(bus, history, alerts);
  const prober = new TenantProber(federation, live, history, bus, env.TENANT_PROBE_INTERVAL_MS);
  const refreshTenants = async () => prober.setTenants(Object.keys(await routeTable(db)));
  await refreshTenants();
  bus.on("tenants:changed", () => void refreshTenants());
  const orchestrator = new Orchestrator(database, federation, live, bus, { concurrency: env.MOVE_CONCURRENCY });
  const repinner = new Repinner(db, federation, live, bus, { holdDownMs: env.REPIN_HOLD_DOWN_MS });
  const rt: Runtime = { env, database, federation, live, bus, poller, prober, orchestrator, repinner, history, alerts, pipeline, startedAt: Date.now() };
  setRuntime(rt);
  pipeline.start();
  await poller.pollNow();
  poller.start();
  prober.start();
  // After the first sample: pre-flight checks read live health.
  await orchestrator.start();
  repinner.start();
  return rt;
}

export async function shutdownRuntime(rt: Runtime): Promise<void> {
  rt.prober.stop();
  rt.repinner.stop();
  await rt.orchestrator.stop();
  await rt.poller.stop();
  await rt.pipeline.stop();
  await rt.federation.close();
  await rt.database.close();
  setRuntime(undefined);
}
