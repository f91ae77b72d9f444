// Against the running lab: the console's own switch (the service behind the UI's server action)
// changes HAProxy's map, the next request for the tenant is served by the other region, and a
// refused switch leaves the router as it was.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viaRouter } from "@/lib/federation/lab/testing";
import { createLabHarness, type Harness } from "@/lib/testing/harness";
import type { Federation } from "@/lib/federation/types";
import { switchTenant } from "@/lib/tenants/operations";
import { markRegionOp } from "@/lib/regions/operations";

let h: Harness;
let federation: Federation;

beforeAll(async () => {
  h = await createLabHarness();
  federation = h.federation;
});

afterAll(async () => h?.close());

describe("tenant switch on the lab", () => {
  it("the console's switch reroutes the tenant's next request to the other region", async () => {
    expect((await viaRouter("klinik-kuching", "GET", "/guidelines")).region).toBe("kl_dc_1");
    const t = await h.database.prisma.tenant.findUniqueOrThrow({ where: { id: "klinik-kuching" } });
    const t0 = Date.now();
    await h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version });
    const r = await viaRouter("klinik-kuching", "POST", "/records", { body: "after the switch" });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.status).toBe(201);
    expect(r.region).toBe("cyberjaya_1");
    expect((await federation.readRoutes())["klinik-kuching"]).toBe("cyberjaya_1");
    // Other tenants did not move.
    expect((await viaRouter("klinik-sibu", "GET", "/guidelines")).region).toBe("kl_dc_1");
  });

  it("a refused switch (residency) leaves HAProxy's map untouched", async () => {
    const t = await h.database.prisma.tenant.findUniqueOrThrow({ where: { id: "poliklinik-bangsar" } });
    await expect(h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version })).rejects.toMatchObject({
      code: "residency_violation",
    });
    expect((await federation.readRoutes())["poliklinik-bangsar"]).toBe("kl_dc_1");
    expect((await viaRouter("poliklinik-bangsar", "GET", "/guidelines")).region).toBe("kl_dc_1");
  });

  it("marking a region down puts its app in maintenance: the router answers its tenants 503 (no backup: only the console moves tenants)", async () => {
    await h.invoke(markRegionOp, h.actors.admin, { regionId: "kl_dc_1", down: true, reason: "lab test" });
    try {
      const r = await viaRouter("klinik-sibu", "GET", "/guidelines");
      expect(r).toMatchObject({ status: 503, region: null });
      expect((await viaRouter("klinik-pakar-kajang", "GET", "/guidelines")).region).toBe("cyberjaya_1");
      expect(h.live.region("kl_dc_1")?.markedDown).toBe(true);
    } finally {
      await h.invoke(markRegionOp, h.actors.admin, { regionId: "kl_dc_1", down: false });
    }
    expect((await viaRouter("klinik-sibu", "GET", "/guidelines")).region).toBe("kl_dc_1");
  });
});
