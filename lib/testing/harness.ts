import { randomUUID } from "node:crypto";
import { openDatabase, type Database } from "@/lib/db/client";
import { seed, DEMO_USERS } from "@/prisma/seed";
import { SimFederation } from "@/lib/federation/sim/sim-federation";
import { LiveHealth } from "@/lib/telemetry/live";
import { Bus } from "@/lib/realtime/bus";
import { routeTable } from "@/lib/tenants/service";
import { HistoryStore } from "@/lib/telemetry/history";
import { AlertEngine } from "@/lib/telemetry/alerts";
import { DEFAULT_DETECTION, type DetectionConfig, FailoverLive } from "@/lib/failover/live";
import { StallDetector } from "@/lib/telemetry/stall";
import type { Actor } from "@/lib/auth/permissions";
import { contextFor, type ServiceContext, type Services } from "@/lib/context";
import type { Federation, TenantProbe } from "@/lib/federation/types";
import { invoke } from "@/lib/ops/invoke";
import { createLimits } from "@/lib/http/rate-limit";
import type { Runtime, Worker } from "@/lib/runtime";
import type { Env } from "@/lib/env";
import type { Operation, ResultOf } from "@/lib/ops/operation";

// The real services over a real database (PGlite in memory, or the PostgreSQL at `url`) and the
// simulated federation: what unit and integration tests of the domain run against.

export interface Harness {
  database: Database;
  federation: Federation;
  live: LiveHealth;
  bus: Bus;
  /** The services a worker or an operation gets, over this harness. */
  services: Services;
  ctx(actor: Actor): ServiceContext;
  /** A console runtime over this harness (no workers unless given), for route, action and socket tests. */
  runtime(env?: Partial<Env>, workers?: Worker[]): Runtime;
  /** Runs an operation as `actor` the way the route and action adapters do after the role check. */
  invoke<O extends Operation>(op: O, actor: Actor, input: unknown): Promise<ResultOf<O>>;
  actors: Record<"admin" | "admin2" | "compliance" | "overseer", Actor>;
  /** Sample the federation once, as the poller would. */
  poll(): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(opts: { url?: string; federation?: Federation; detection?: Partial<DetectionConfig> } = {}): Promise<Harness> {
  const database = await openDatabase({ url: opts.url });
  await seed(database.prisma, { demoPassword: "federation-demo" });
  const regions = await database.prisma.region.findMany({ orderBy: { sortOrder: "asc" } });
  const federation = opts.federation ?? new SimFederation({ regions, seed: 42, spikeRate: 0 });
  await federation.syncRoutes(await routeTable(database.prisma));
  const live = new LiveHealth();
  const bus = new Bus();
  const poll = async () => void live.update(await federation.readHealth());
  await poll();
  const services: Services = {
    db: database.prisma,
    federation,
    live,
    bus,
    history: new HistoryStore(database.prisma),
    alerts: new AlertEngine(database.prisma, bus),
    probes: new Map<string, TenantProbe>(),
    // Not started: no stalls unless a test starts it.
    stalls: new StallDetector(),
    failover: new FailoverLive({ ...DEFAULT_DETECTION, ...opts.detection }),
    refresh: poll,
  };
  const ctx = (a: Actor) => contextFor(services, a, randomUUID());
  const actor = (id: string): Actor => {
    const u = DEMO_USERS.find((x) => x.id === id)!;
    return { id: u.id, email: u.email, name: u.name, role: u.role };
  };
  return {
    database,
    federation,
    live,
    bus,
    poll,
    actors: { admin: actor("u-admin"), admin2: actor("u-admin2"), compliance: actor("u-compliance"), overseer: actor("u-overseer") },
    services,
    ctx,
    invoke: (op, a, input) => invoke(op, ctx(a), input),
    runtime: (env = {}, workers = []) => {
      const e = { NEXTAUTH_URL: "http://localhost:3000", POLL_INTERVAL_MS: 1000, MUTATIONS_PER_MINUTE: 1000, LOGINS_PER_15_MIN: 1000, ...env } as Env;
      return { env: e, database, services, workers, limits: createLimits(e, database), startedAt: Date.now() };
    },
    async close() {
      await federation.close();
      await database.close();
    },
  };
}

/**
 * The harness over the running lab (lab/up): the real services and the lab federation. The
 * router's table is restored on close, so lab tests leave routing as they found it.
 */
export async function createLabHarness(opts: { leases?: boolean; detection?: Partial<DetectionConfig> } = {}): Promise<Harness> {
  const { requireLab, grantLeasesLikeTheConsole } = await import("@/lib/federation/lab/testing");
  const { createLabFederation } = await import("@/lib/federation/lab/index");
  await requireLab();
  const federation = await createLabFederation({
    regions: [
      { id: "kl_dc_1", name: "KL DC" },
      { id: "cyberjaya_1", name: "Cyberjaya" },
    ],
  });
  const before = await federation.readRoutes();
  const h = await createHarness({ federation, detection: opts.detection });
  // The console grants the regions' write leases (workers/region-watch.ts): without it a region
  // whose peer is down or cut off fences itself, as it must.
  // (leases: false — the test runs the console's own region watch, which grants them.)
  const stopLeases = opts.leases === false ? () => undefined : grantLeasesLikeTheConsole(federation);
  const close = h.close;
  return {
    ...h,
    async close() {
      stopLeases();
      await federation.setRegionDown("kl_dc_1", false).catch(() => undefined);
      await federation.setRegionDown("cyberjaya_1", false).catch(() => undefined);
      for (const f of await federation.fencedTenants().catch(() => [])) await federation.fenceTenant(f.tenant, f.regionId, false).catch(() => undefined);
      await federation.syncRoutes(before).catch(() => undefined);
      await close();
    },
  };
}

/**
 * Brings a failed-over region back as an admin would: checks what it wrote that never crossed,
 * re-applies it when there is any, and waits for the return to finish (completed or failed).
 */
export async function bringBack(h: Harness, failoverId: string, reason: string, timeoutMs = 90_000) {
  const { previewReturnQuery, requestReturnOp } = await import("@/lib/failover/operations");
  const errant = await h.invoke(previewReturnQuery, h.actors.admin, { failoverId });
  const records = errant.tenants.reduce((n, t) => n + t.ids.length, 0);
  const r = await h.invoke(requestReturnOp, h.actors.admin, { failoverId, reason, ...(records ? { decision: "reapply" as const } : {}) });
  for (const t0 = Date.now(); ; await new Promise((ok) => setTimeout(ok, 250))) {
    const x = await h.database.prisma.regionReturn.findUnique({ where: { id: r.id } });
    if (x && (x.state === "completed" || x.state === "failed")) return { done: x, records };
    if (Date.now() - t0 > timeoutMs) throw new Error(`the return of ${failoverId} did not finish within ${timeoutMs} ms (state ${x?.state})`);
  }
}
