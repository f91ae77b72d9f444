import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { listAudit } from "@/lib/audit/service";
import { setRuntime } from "@/lib/runtime";
import { execute } from "@/lib/ops/execute";
import { routeTable } from "@/lib/tenants/service";
import { switchTenant } from "@/lib/tenants/operations";
import { preflight } from "@/lib/moves/preflight";
import { requestMoveOp } from "@/lib/moves/operations";
import type { RouteDriftChanged } from "@/lib/realtime/events";
import { diffRoutes } from "./diff";
import { reconcileRoutesAtStart } from "./service";
import { resolveRouteDriftOp, routeDriftQuery } from "./operations";

// Route drift on the simulation: its router lives in-process, so the test sets the router's
// table directly (as another console or a person at HAProxy's socket would) and starts the
// console's start-up check by hand.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  setRuntime(h.runtime());
});
afterAll(async () => {
  setRuntime(undefined);
  await h?.close();
});

const db = () => h.database.prisma;
const consoleTable = () => routeTable(db());
const driftEntries = () => listAudit(db(), { targetType: "routes", targetId: "router" });
function driftEvents() {
  const seen: RouteDriftChanged[] = [];
  const off = h.bus.on("routes:drift", (e) => seen.push(e));
  return { seen, off };
}

/** The router's table as another console left it: klinik-sibu in Cyberjaya, no route for klinik-miri, one tenant this console does not know. */
async function divergeRouter() {
  const table = { ...(await consoleTable()), "klinik-sibu": "cyberjaya_1", "klinik-ghost": "kl_dc_1" };
  delete (table as Record<string, string>)["klinik-miri"];
  await h.federation.syncRoutes(table);
  return table;
}

describe("diffRoutes", () => {
  it("lists tenants that differ, and tenants on one side only, sorted; case-insensitive", () => {
    expect(diffRoutes({ a: "kl", b: "kl", c: "cy" }, { A: "kl", b: "cy", d: "kl" })).toEqual([
      { tenant: "b", consoleRegion: "kl", routerRegion: "cy" },
      { tenant: "c", consoleRegion: "cy", routerRegion: null },
      { tenant: "d", consoleRegion: null, routerRegion: "kl" },
    ]);
    expect(diffRoutes({ a: "kl" }, { a: "kl" })).toEqual([]);
  });
});

describe("at start", () => {
  it("equal tables: nothing pushed, no drift, nothing audited", async () => {
    const audits = (await driftEntries()).length;
    let pushed = 0;
    const sync = h.federation.syncRoutes.bind(h.federation);
    h.federation.syncRoutes = async (t) => {
      pushed++;
      return sync(t);
    };
    try {
      expect(await reconcileRoutesAtStart(h.services)).toEqual({ outcome: "equal", drift: [] });
    } finally {
      h.federation.syncRoutes = sync;
    }
    expect(pushed).toBe(0);
    expect(await h.invoke(routeDriftQuery, h.actors.overseer, {})).toEqual({ rows: [], detectedAt: null });
    expect((await driftEntries()).length).toBe(audits);
  });

  it("an empty router (fresh, or the simulation's) gets the console's table", async () => {
    await h.federation.syncRoutes({});
    expect(await reconcileRoutesAtStart(h.services)).toEqual({ outcome: "pushed", drift: [] });
    expect(await h.federation.readRoutes()).toEqual(await consoleTable());
    expect((await h.invoke(routeDriftQuery, h.actors.admin, {})).rows).toEqual([]);
  });

  it("a different router: drift recorded per tenant with both values, the router untouched, audited as the system", async () => {
    const routerTable = await divergeRouter();
    const ev = driftEvents();
    const start = await reconcileRoutesAtStart(h.services);
    ev.off();
    expect(start.outcome).toBe("drift");
    expect(await h.federation.readRoutes()).toEqual(routerTable);
    expect(ev.seen).toEqual([expect.objectContaining({ count: 3, resolution: null, by: "system@console" })]);

    // Every role that sees the overview reads it.
    for (const who of [h.actors.overseer, h.actors.compliance, h.actors.admin]) {
      const view = await execute(routeDriftQuery, who, {}, "req-drift");
      expect(view.rows).toEqual([
        expect.objectContaining({ tenant: "klinik-ghost", tenantId: null, tenantName: null, consoleRegionId: null, routerRegionId: "kl_dc_1" }),
        expect.objectContaining({
          tenant: "klinik-miri",
          tenantId: "klinik-miri",
          tenantName: "Klinik Miri",
          consoleRegionId: "kl_dc_1",
          routerRegionId: null,
        }),
        expect.objectContaining({ tenant: "klinik-sibu", tenantId: "klinik-sibu", consoleRegionId: "kl_dc_1", routerRegionId: "cyberjaya_1" }),
      ]);
      expect(view.detectedAt).toEqual(expect.any(String));
    }
    const [entry] = await driftEntries();
    expect(entry).toMatchObject({
      action: "routes.drift_detected",
      outcome: "succeeded",
      actorId: "system",
      before: { console: { "klinik-ghost": null, "klinik-miri": "kl_dc_1", "klinik-sibu": "kl_dc_1" } },
      after: { router: { "klinik-ghost": "kl_dc_1", "klinik-miri": null, "klinik-sibu": "cyberjaya_1" } },
    });
  });

  it("the same drift at the next start stays open as it was, not audited again", async () => {
    const before = await h.invoke(routeDriftQuery, h.actors.admin, {});
    const audits = (await driftEntries()).length;
    expect((await reconcileRoutesAtStart(h.services)).outcome).toBe("drift");
    expect(await h.invoke(routeDriftQuery, h.actors.admin, {})).toEqual(before);
    expect((await driftEntries()).length).toBe(audits);
  });
});

describe("while the drift is open", () => {
  it("a move of a drifted tenant is refused with 409 naming the drift, and audited", async () => {
    const err = await h
      .invoke(requestMoveOp, h.actors.admin, { tenantId: "klinik-sibu", targetRegionId: "cyberjaya_1", reason: "closer to Sarawak" })
      .catch((e) => e);
    expect(err).toMatchObject({
      status: 409,
      code: "route_drift",
      message: expect.stringMatching(/Router agrees with the console: .*the console says KL DC, the router says Cyberjaya/),
    });
    expect(err.receipt).toBeDefined();
    const [entry] = await listAudit(db(), { targetType: "tenant", targetId: "klinik-sibu" });
    expect(entry).toMatchObject({ action: "tenant.move", outcome: "refused" });
    const pf = await preflight(h.ctx(h.actors.admin), { tenantId: "klinik-miri", targetRegionId: "cyberjaya_1" });
    expect(pf.checks.find((c) => c.key === "route_drift")).toMatchObject({ ok: false, detail: expect.stringMatching(/the router says no route/) });
    expect(await db().move.count({ where: { tenantId: { in: ["klinik-sibu", "klinik-miri"] } } })).toBe(0);
  });

  it("a direct switch of a drifted tenant is refused with 409; other tenants still move", async () => {
    const t = await db().tenant.findUniqueOrThrow({ where: { id: "klinik-miri" } });
    const err = await h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version }).catch((e) => e);
    expect(err).toMatchObject({
      status: 409,
      code: "route_drift",
      details: { drift: { tenant: "klinik-miri", consoleRegionId: "kl_dc_1", routerRegionId: null } },
    });
    expect((await db().tenant.findUniqueOrThrow({ where: { id: "klinik-miri" } })).version).toBe(t.version);
    const pf = await preflight(h.ctx(h.actors.admin), { tenantId: "klinik-kuching", targetRegionId: "cyberjaya_1" });
    expect(pf.checks.find((c) => c.key === "route_drift")).toMatchObject({ ok: true });
  });

  it("a non-admin may not resolve it: 403, audited, nothing changed", async () => {
    const before = await h.invoke(routeDriftQuery, h.actors.admin, {});
    for (const who of [h.actors.overseer, h.actors.compliance]) {
      const err = await execute(resolveRouteDriftOp, who, { resolution: "push_console", reason: "I want it fixed" }, "req-403").catch((e) => e);
      expect(err).toMatchObject({ status: 403, code: "forbidden" });
      expect(err.receipt).toBeDefined();
      const [entry] = await listAudit(db(), { action: "routes.resolve_drift", limit: 1 });
      expect(entry).toMatchObject({ outcome: "refused", actorEmail: who.email });
    }
    expect(await h.invoke(routeDriftQuery, h.actors.admin, {})).toEqual(before);
  });

  it("input is checked: a resolution and a reason are required", async () => {
    for (const input of [{ resolution: "keep_router" }, { resolution: "overwrite", reason: "because" }, { resolution: "push_console", reason: "x" }])
      await expect(h.invoke(resolveRouteDriftOp, h.actors.admin, input)).rejects.toMatchObject({ status: 400 });
  });
});

describe("keep_router", () => {
  it("the console takes the router's routes, adds the routes the router lacked, reports the unknown tenant; audited and cleared", async () => {
    const ev = driftEvents();
    const changed: string[][] = [];
    const off = h.bus.on("tenants:changed", (e) => changed.push(e.tenantIds));
    const sibu = await db().tenant.findUniqueOrThrow({ where: { id: "klinik-sibu" } });
    const res = await h.invoke(resolveRouteDriftOp, h.actors.admin, { resolution: "keep_router", reason: "the other console's moves are the real ones" });
    ev.off();
    off();
    expect(res.adopted).toEqual([{ tenant: "klinik-sibu", from: "kl_dc_1", to: "cyberjaya_1" }]);
    expect(res.pushed).toEqual([{ tenant: "klinik-miri", from: null, to: "kl_dc_1" }]);
    expect(res.leftAlone).toEqual([{ tenant: "klinik-ghost", routerRegionId: "kl_dc_1" }]);
    expect(res.message).toMatch(/only the router knows were left as they are \(klinik-ghost\)/);

    const after = await db().tenant.findUniqueOrThrow({ where: { id: "klinik-sibu" } });
    expect(after).toMatchObject({ servingRegionId: "cyberjaya_1", version: sibu.version + 1, updatedBy: "admin@federation.local" });
    const router = await h.federation.readRoutes();
    expect(router).toMatchObject({ "klinik-sibu": "cyberjaya_1", "klinik-miri": "kl_dc_1", "klinik-ghost": "kl_dc_1" });
    expect(diffRoutes(await consoleTable(), router)).toEqual([{ tenant: "klinik-ghost", consoleRegion: null, routerRegion: "kl_dc_1" }]);
    expect(await h.invoke(routeDriftQuery, h.actors.overseer, {})).toEqual({ rows: [], detectedAt: null });
    expect(ev.seen).toEqual([expect.objectContaining({ count: 0, resolution: "keep_router", by: "admin@federation.local" })]);
    expect(changed).toEqual([["klinik-sibu"]]);

    const [summary] = await driftEntries();
    expect(summary).toMatchObject({
      action: "routes.resolve_drift",
      outcome: "succeeded",
      actorEmail: "admin@federation.local",
      reason: "the other console's moves are the real ones",
      before: {
        console: { "klinik-sibu": "kl_dc_1", "klinik-miri": "kl_dc_1", "klinik-ghost": null },
        router: { "klinik-sibu": "cyberjaya_1", "klinik-miri": null },
      },
      after: { resolution: "keep_router", console: { "klinik-sibu": "cyberjaya_1" }, router: { "klinik-miri": "kl_dc_1" }, leftAlone: ["klinik-ghost"] },
    });
    const [perTenant] = await listAudit(db(), { targetType: "tenant", targetId: "klinik-sibu" });
    expect(perTenant).toMatchObject({ action: "routes.resolve_drift", before: { servingRegionId: "kl_dc_1" }, after: { servingRegionId: "cyberjaya_1" } });

    // The tenant moves again once the drift is resolved.
    const pf = await preflight(h.ctx(h.actors.admin), { tenantId: "klinik-sibu", targetRegionId: "kl_dc_1" });
    expect(pf.checks.find((c) => c.key === "route_drift")).toMatchObject({ ok: true });
  });

  it("with nothing open: 409, nothing changed", async () => {
    await expect(h.invoke(resolveRouteDriftOp, h.actors.admin, { resolution: "keep_router", reason: "just in case" })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/No route drift is open/),
    });
  });

  it("refuses to record a residency-locked tenant where its lock forbids (409), and changes nothing", async () => {
    await h.federation.routeTenant("poliklinik-bangsar", "cyberjaya_1");
    await reconcileRoutesAtStart(h.services);
    const t = await db().tenant.findUniqueOrThrow({ where: { id: "poliklinik-bangsar" } });
    const err = await h.invoke(resolveRouteDriftOp, h.actors.admin, { resolution: "keep_router", reason: "keep what runs" }).catch((e) => e);
    expect(err).toMatchObject({
      status: 409,
      code: "residency_violation",
      message: expect.stringMatching(/Poliklinik Bangsar may only be served from KL DC.*Push the console's table instead/),
    });
    expect(await db().tenant.findUniqueOrThrow({ where: { id: "poliklinik-bangsar" } })).toEqual(t);
    expect((await h.invoke(routeDriftQuery, h.actors.admin, {})).rows.map((r) => r.tenant)).toEqual(["klinik-ghost", "poliklinik-bangsar"]);
    expect((await h.federation.readRoutes())["poliklinik-bangsar"]).toBe("cyberjaya_1");
  });
});

describe("push_console", () => {
  it("the router's table becomes the console's; audited with both values, cleared", async () => {
    const ev = driftEvents();
    const res = await h.invoke(resolveRouteDriftOp, h.actors.admin2, { resolution: "push_console", reason: "the database is the record" });
    ev.off();
    expect(res.pushed).toEqual([
      { tenant: "klinik-ghost", from: "kl_dc_1", to: null },
      { tenant: "poliklinik-bangsar", from: "cyberjaya_1", to: "kl_dc_1" },
    ]);
    expect(res.message).toMatch(/1 route\(s\) the console does not know were removed from the router \(klinik-ghost\)/);
    expect(await h.federation.readRoutes()).toEqual(await consoleTable());
    expect((await h.invoke(routeDriftQuery, h.actors.admin, {})).rows).toEqual([]);
    expect(ev.seen).toEqual([expect.objectContaining({ count: 0, resolution: "push_console" })]);
    const [entry] = await driftEntries();
    expect(entry).toMatchObject({
      action: "routes.resolve_drift",
      actorEmail: "admin2@federation.local",
      reason: "the database is the record",
      before: {
        console: { "klinik-ghost": null, "poliklinik-bangsar": "kl_dc_1" },
        router: { "klinik-ghost": "kl_dc_1", "poliklinik-bangsar": "cyberjaya_1" },
      },
      after: { resolution: "push_console", router: { "klinik-ghost": null, "poliklinik-bangsar": "kl_dc_1" } },
    });
  });

  it("when the router changed since the drift was found: 409, the new drift recorded, the router untouched", async () => {
    await h.federation.routeTenant("klinik-kuantan", "cyberjaya_1");
    await reconcileRoutesAtStart(h.services);
    await h.federation.routeTenant("klinik-temerloh", "cyberjaya_1");
    const router = await h.federation.readRoutes();
    const err = await h.invoke(resolveRouteDriftOp, h.actors.admin, { resolution: "push_console", reason: "fix it" }).catch((e) => e);
    expect(err).toMatchObject({ status: 409, message: expect.stringMatching(/changed since the drift was found: now 2 tenant\(s\) differ/) });
    expect(await h.federation.readRoutes()).toEqual(router);
    expect((await h.invoke(routeDriftQuery, h.actors.admin, {})).rows.map((r) => r.tenant)).toEqual(["klinik-kuantan", "klinik-temerloh"]);
    await h.invoke(resolveRouteDriftOp, h.actors.admin, { resolution: "push_console", reason: "fix it, having looked again" });
    expect(await h.federation.readRoutes()).toEqual(await consoleTable());
  });

  it("a drift that no longer holds at the next start is cleared, and that is audited", async () => {
    await h.federation.routeTenant("klinik-kuantan", "cyberjaya_1");
    await reconcileRoutesAtStart(h.services);
    await h.federation.routeTenant("klinik-kuantan", "kl_dc_1");
    expect(await reconcileRoutesAtStart(h.services)).toEqual({ outcome: "equal", drift: [] });
    expect((await h.invoke(routeDriftQuery, h.actors.admin, {})).rows).toEqual([]);
    const [entry] = await driftEntries();
    expect(entry).toMatchObject({ action: "routes.drift_cleared", actorId: "system", before: { router: { "klinik-kuantan": "cyberjaya_1" } } });
  });
});
