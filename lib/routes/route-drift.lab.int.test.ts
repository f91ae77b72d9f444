// Against the running lab (lab/up): a console starting on a fresh database finds HAProxy routing
// one tenant differently from its own table. It reports the drift with both values and leaves
// HAProxy's route as it was; an admin resolves it (keep the router's, then push the console's).
// The lab's routes are restored afterwards.
import { readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRuntime, shutdownRuntime } from "@/server/runtime";
import { createLabFederation } from "@/lib/federation/lab/index";
import { mapFilePath, requireLab, viaRouter } from "@/lib/federation/lab/testing";
import type { Federation, RouteTable } from "@/lib/federation/types";
import type { Runtime } from "@/lib/runtime";
import type { Env } from "@/lib/env";
import type { Actor } from "@/lib/auth/permissions";
import type { Operation, ResultOf } from "@/lib/ops/operation";
import { contextFor } from "@/lib/context";
import { invoke } from "@/lib/ops/invoke";
import { listAudit } from "@/lib/audit/service";
import { requestMoveOp } from "@/lib/moves/operations";
import { DEMO_USERS, SEED_TENANTS } from "@/prisma/seed";
import { resolveRouteDriftOp, routeDriftQuery } from "./operations";
import { reconcileRoutesAtStart } from "./service";

const REGIONS = [
  { id: "kl_dc_1", name: "KL DC" },
  { id: "cyberjaya_1", name: "Cyberjaya" },
];
const env = {
  NODE_ENV: "test",
  PORT: 3998,
  HOST: "127.0.0.1",
  DATA_DIR: "./data-test",
  dataDir: "/tmp/fc-route-drift-test",
  FEDERATION_MODE: "lab",
  POLL_INTERVAL_MS: 1000,
  TENANT_PROBE_INTERVAL_MS: 5000,
  STALL_THRESHOLD_MS: 500,
  NEXTAUTH_SECRET: "route-drift-test-secret-0123456789",
  NEXTAUTH_URL: "http://localhost:3998",
  REPIN_HOLD_DOWN_MS: 60_000,
  MOVE_CONCURRENCY: 2,
  DEMO_PASSWORD: "federation-demo",
  MUTATIONS_PER_MINUTE: 1000,
  LOGINS_PER_15_MIN: 1000,
  SESSION_IDLE_MINUTES: 30,
  SESSION_MAX_HOURS: 8,
} as Env;

const admin = DEMO_USERS.find((u) => u.id === "u-admin")! as Actor;
/** What a freshly seeded console's table is: every tenant served by its primary. */
const SEED_TABLE: RouteTable = Object.fromEntries(SEED_TENANTS.map(([slug, , , primary]) => [slug, primary]));

let router: Federation;
let before: RouteTable;
let rt: Runtime | undefined;

const run = <O extends Operation>(op: O, input: unknown): Promise<ResultOf<O>> => invoke(op, contextFor(rt!.services, admin, randomUUID()), input);
const mapLine = (tenant: string) =>
  readFileSync(mapFilePath(), "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${tenant} `));

beforeAll(async () => {
  await requireLab();
  router = await createLabFederation({ regions: REGIONS });
  before = await router.readRoutes();
  // Another console's table: the seed's, but klinik-sibu routed to Cyberjaya straight in HAProxy.
  await router.syncRoutes(SEED_TABLE);
  await router.routeTenant("klinik-sibu", "cyberjaya_1");
});

afterAll(async () => {
  if (rt) await shutdownRuntime(rt);
  await router?.syncRoutes(before);
  await router?.close();
});

describe("route drift at start, on the lab", () => {
  it("a console on a fresh database reports the drift with both values and does not change HAProxy", async () => {
    rt = await buildRuntime(env, { pglite: "memory" });
    const drift = await run(routeDriftQuery, {});
    expect(drift.rows).toEqual([
      expect.objectContaining({ tenant: "klinik-sibu", tenantName: "Klinik Sibu", consoleRegionId: "kl_dc_1", routerRegionId: "cyberjaya_1" }),
    ]);
    expect((await router.readRoutes())["klinik-sibu"]).toBe("cyberjaya_1");
    expect(mapLine("klinik-sibu")).toBe("klinik-sibu be_cyberjaya_1");
    expect((await viaRouter("klinik-sibu", "GET", "/guidelines")).region).toBe("cyberjaya_1");
    const [entry] = await listAudit(rt.services.db, { action: "routes.drift_detected" });
    expect(entry).toMatchObject({ actorId: "system", before: { console: { "klinik-sibu": "kl_dc_1" } }, after: { router: { "klinik-sibu": "cyberjaya_1" } } });
  });

  it("refuses to move the drifted tenant (409 route_drift) and leaves HAProxy as it is", async () => {
    await expect(run(requestMoveOp, { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1", reason: "lab test" })).rejects.toMatchObject({
      status: 409,
      code: "route_drift",
    });
    expect((await router.readRoutes())["klinik-sibu"]).toBe("cyberjaya_1");
  });

  it("keep_router: the console takes HAProxy's route; HAProxy is not changed", async () => {
    const res = await run(resolveRouteDriftOp, { resolution: "keep_router", reason: "lab test: the router's route is the real one" });
    expect(res.adopted).toEqual([{ tenant: "klinik-sibu", from: "kl_dc_1", to: "cyberjaya_1" }]);
    expect((await rt!.services.db.tenant.findUniqueOrThrow({ where: { id: "klinik-sibu" } })).servingRegionId).toBe("cyberjaya_1");
    expect((await run(routeDriftQuery, {})).rows).toEqual([]);
    expect(mapLine("klinik-sibu")).toBe("klinik-sibu be_cyberjaya_1");
  });

  it("push_console: after HAProxy is changed again, the console's table goes into HAProxy (and its map file)", async () => {
    await router.routeTenant("klinik-sibu", "kl_dc_1");
    expect((await reconcileRoutesAtStart(rt!.services)).drift).toEqual([{ tenant: "klinik-sibu", consoleRegion: "cyberjaya_1", routerRegion: "kl_dc_1" }]);
    await run(resolveRouteDriftOp, { resolution: "push_console", reason: "lab test: the console's table is the record" });
    expect((await router.readRoutes())["klinik-sibu"]).toBe("cyberjaya_1");
    expect(mapLine("klinik-sibu")).toBe("klinik-sibu be_cyberjaya_1");
    expect((await viaRouter("klinik-sibu", "GET", "/guidelines")).region).toBe("cyberjaya_1");
    const [entry] = await listAudit(rt!.services.db, { targetType: "routes", targetId: "router" });
    expect(entry).toMatchObject({ action: "routes.resolve_drift", after: { resolution: "push_console", router: { "klinik-sibu": "cyberjaya_1" } } });
  });
});
