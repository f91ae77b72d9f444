import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "@/lib/testing/harness";
import { listTenants } from "./service";
import { listAudit, verifyAuditChain, countResidencyViolationsPrevented } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import { FederationError } from "@/lib/federation/types";
import { SEED_TENANTS } from "@/prisma/seed";
import { switchTenant } from "@/lib/tenants/operations";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

async function tenant(id: string) {
  return h.database.prisma.tenant.findUniqueOrThrow({ where: { id } });
}

async function expectRefusal(p: Promise<unknown>, status: number, code: string, message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(status);
  expect((err as AppError).code).toBe(code);
  if (message) expect((err as AppError).message).toMatch(message);
  return err as AppError;
}

describe("seed", () => {
  it("has 35 clinics, five in Sabah/Sarawak, some residency-locked, and is idempotent", async () => {
    const all = await listTenants(h.services);
    expect(all).toHaveLength(SEED_TENANTS.length);
    expect(all).toHaveLength(35);
    expect(all.filter((t) => t.state === "Sabah" || t.state === "Sarawak")).toHaveLength(5);
    expect(all.filter((t) => t.residencyLocked).length).toBeGreaterThanOrEqual(3);
    const { seed } = await import("@/prisma/seed");
    await seed(h.database.prisma, { demoPassword: "another-password" });
    expect(await h.database.prisma.tenant.count()).toBe(35);
    expect(await h.database.prisma.user.count()).toBe(4);
  });
});

describe("listTenants filters", () => {
  it("filters by search text, state, residency and serving region", async () => {
    expect((await listTenants(h.services, { q: "kuching" })).map((t) => t.id)).toEqual(["klinik-kuching"]);
    expect((await listTenants(h.services, { state: "sarawak" })).map((t) => t.state)).toEqual(["Sarawak", "Sarawak", "Sarawak"]);
    const locked = await listTenants(h.services, { residency: "locked" });
    expect(locked.every((t) => t.residencyLocked)).toBe(true);
    const open = await listTenants(h.services, { residency: "unrestricted" });
    expect(locked.length + open.length).toBe(35);
    const cyb = await listTenants(h.services, { region: "cyberjaya_1" });
    expect(cyb.length).toBeGreaterThan(0);
    expect(cyb.every((t) => t.servingRegionId === "cyberjaya_1")).toBe(true);
  });
});

describe("switchTenantRegion", () => {
  it("switches, bumps the version, updates the router, audits before/after and tells listeners", async () => {
    const events: string[][] = [];
    const off = h.bus.on("tenants:changed", (e) => events.push(e.tenantIds));
    const before = await tenant("klinik-sandakan");
    const view = await h.invoke(switchTenant, h.actors.admin, {
      tenantId: "klinik-sandakan",
      targetRegionId: "cyberjaya_1",
      expectedVersion: before.version,
      reason: "closer to East Malaysia",
    });
    off();
    expect(view.servingRegionId).toBe("cyberjaya_1");
    expect(view.version).toBe(before.version + 1);
    expect(view.updatedBy).toBe("admin@federation.local");
    expect((await h.federation.readRoutes())["klinik-sandakan"]).toBe("cyberjaya_1");
    expect(events).toEqual([["klinik-sandakan"]]);
    const [entry] = await listAudit(h.database.prisma, { targetType: "tenant", targetId: "klinik-sandakan" });
    expect(entry).toMatchObject({
      action: "tenant.switch",
      outcome: "succeeded",
      actorEmail: "admin@federation.local",
      reason: "closer to East Malaysia",
      before: { servingRegionId: "kl_dc_1", version: before.version },
      after: { servingRegionId: "cyberjaya_1", version: before.version + 1 },
    });
  });

  it("refuses a residency-locked tenant leaving its allowed regions, audits the refusal, counts it, changes nothing", async () => {
    const prevented = await countResidencyViolationsPrevented(h.database.prisma);
    const before = await tenant("klinik-shah-alam");
    const err = await expectRefusal(
      h.invoke(switchTenant, h.actors.admin, { tenantId: "klinik-shah-alam", targetRegionId: "cyberjaya_1", expectedVersion: before.version }),
      409,
      "residency_violation",
      /may only be served from KL DC/,
    );
    expect(err.message).toContain("Klinik Kesihatan Shah Alam");
    expect(await tenant("klinik-shah-alam")).toEqual(before);
    expect((await h.federation.readRoutes())["klinik-shah-alam"]).toBe("kl_dc_1");
    const [entry] = await listAudit(h.database.prisma, { targetType: "tenant", targetId: "klinik-shah-alam" });
    expect(entry).toMatchObject({ outcome: "refused", actorEmail: "admin@federation.local", after: { refusal: "residency_violation" } });
    expect(await countResidencyViolationsPrevented(h.database.prisma)).toBe(prevented + 1);
  });

  it("refuses a stale version and names who changed the tenant first", async () => {
    const t = await tenant("klinik-miri");
    await h.invoke(switchTenant, h.actors.admin2, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version });
    const err = await expectRefusal(
      h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version }),
      409,
      "stale_version",
      /changed by admin2@federation\.local/,
    );
    expect(err.details).toMatchObject({ changedBy: "admin2@federation.local", currentVersion: t.version + 1 });
  });

  it("lets exactly one of two simultaneous switches of the same tenant win", async () => {
    const t = await tenant("klinik-sibu");
    const results = await Promise.allSettled([
      h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version }),
      h.invoke(switchTenant, h.actors.admin2, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(AppError);
    expect((lost.reason as AppError).code).toBe("stale_version");
    expect((await tenant(t.id)).version).toBe(t.version + 1);
  });

  it("refuses unknown tenants, unknown regions and the region already serving, with clear messages", async () => {
    await expectRefusal(
      h.invoke(switchTenant, h.actors.admin, { tenantId: "klinik-atlantis", targetRegionId: "kl_dc_1", expectedVersion: 1 }),
      404,
      "not_found",
      /No tenant/,
    );
    const t = await tenant("klinik-taiping");
    await expectRefusal(
      h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "penang_1", expectedVersion: t.version }),
      400,
      "bad_request",
      /Unknown region "penang_1". Known regions: kl_dc_1, cyberjaya_1/,
    );
    await expectRefusal(
      h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "kl_dc_1", expectedVersion: t.version }),
      409,
      "conflict",
      /already served by KL DC/,
    );
    expect(await tenant(t.id)).toEqual(t);
  });

  it("refuses a switch to a region that is down", async () => {
    await h.federation.setRegionDown("cyberjaya_1", true);
    await h.poll();
    const t = await tenant("klinik-kuantan");
    await expectRefusal(
      h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version }),
      409,
      "region_unavailable",
      /Cyberjaya is down/,
    );
    await h.federation.setRegionDown("cyberjaya_1", false);
    await h.poll();
    expect(await tenant(t.id)).toEqual(t);
  });

  it("changes nothing when the router refuses, and audits the failure", async () => {
    const t = await tenant("klinik-kangar");
    const original = h.federation.routeTenant.bind(h.federation);
    h.federation.routeTenant = async () => {
      throw new FederationError("runtime API timed out after 800 ms", "timeout", true);
    };
    try {
      await expectRefusal(
        h.invoke(switchTenant, h.actors.admin, { tenantId: t.id, targetRegionId: "cyberjaya_1", expectedVersion: t.version }),
        502,
        "federation_error",
        /Nothing was changed/,
      );
    } finally {
      h.federation.routeTenant = original;
    }
    expect(await tenant(t.id)).toEqual(t);
    const [entry] = await listAudit(h.database.prisma, { targetType: "tenant", targetId: t.id });
    expect(entry).toMatchObject({ outcome: "failed", after: { error: "timeout" } });
  });

  it("keeps the audit chain intact through all of the above", async () => {
    const v = await verifyAuditChain(h.database.prisma);
    expect(v.entries).toBeGreaterThan(5);
    expect(v.break).toBeNull();
  });
});

describe("listTenants takes search text literally", () => {
  it("matches % and _ as themselves, not as patterns", async () => {
    expect(await listTenants(h.services, { q: "%" })).toEqual([]);
    expect(await listTenants(h.services, { q: "_" })).toEqual([]);
    expect(await listTenants(h.services, { q: "\\" })).toEqual([]);
    expect((await listTenants(h.services, { state: "sabah" })).map((t) => t.state)).toEqual(["Sabah", "Sabah"]);
  });
});
