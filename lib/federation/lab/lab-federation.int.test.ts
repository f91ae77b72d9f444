// The Federation interface against the running lab: health roll-up, routing through the real
// HAProxy, region maintenance, and readHealth staying bounded when a component is dead.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FederationError, type Federation, type RouteTable } from "../types";
import { createLabFederation } from "./index";
import { cfg, labCtl, mapFilePath, requireLab, viaRouter, waitFor } from "./testing";

const regions = [
  { id: "kl_dc_1", name: "KL DC" },
  { id: "cyberjaya_1", name: "Cyberjaya" },
];
let fed: Federation;
let original: RouteTable;

beforeAll(async () => {
  await requireLab();
  fed = await createLabFederation({ regions });
  original = await fed.readRoutes();
});
afterAll(async () => {
  await fed.setRegionDown("cyberjaya_1", false).catch(() => {});
  await fed.syncRoutes(original).catch(() => {});
  await fed.close();
});

describe("lab federation", () => {
  it("reads both regions healthy with every component kind and real figures", async () => {
    let seen = "";
    const h = await waitFor(
      "both regions healthy",
      async () => {
        const x = await fed.readHealth();
        seen = x.map((r) => `${r.regionId} ${r.status}: ${r.reasons.join("; ")}`).join(" | ");
        return x.every((r) => r.status === "healthy") ? x : null;
      },
      // the suite's earlier partitions and kills may leave replication settling for a while
      30_000,
      300,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last seen: ${seen}`);
    });
    expect(h.map((r) => r.regionId)).toEqual(["kl_dc_1", "cyberjaya_1"]);
    for (const r of h) {
      expect(r.components.map((c) => c.kind)).toEqual(["router", "galera", "postgres", "object_store", "inference"]);
      expect(r.reasons).toEqual([]);
      expect(r.markedDown).toBe(false);
      expect(r.figures.replicationLagMs).not.toBeNull();
      expect(r.figures.replicationLagMs!).toBeLessThan(1000);
      expect(r.figures.gpuUtilPct).not.toBeNull();
      expect(r.figures.requestsPerSec).not.toBeNull();
    }
    expect(h[1].components.find((c) => c.kind === "galera")!.name).toBe("MariaDB");
    const routes = await fed.readRoutes();
    expect(h[0].figures.tenantsServed).toBe(Object.values(routes).filter((x) => x === "kl_dc_1").length);
  });

  it("routeTenant moves a tenant's real traffic and writes the map file", async () => {
    await fed.routeTenant("it-fed-tenant", "cyberjaya_1");
    expect((await viaRouter("it-fed-tenant")).region).toBe("cyberjaya_1");
    await fed.routeTenant("it-fed-tenant", "kl_dc_1");
    expect((await viaRouter("it-fed-tenant")).region).toBe("kl_dc_1");
    expect((await fed.readRoutes())["it-fed-tenant"]).toBe("kl_dc_1");
    expect(await readFile(mapFilePath(), "utf8")).toMatch(/^it-fed-tenant be_kl_dc_1$/m);
  });

  it("rejects an unknown region with code unknown_region", async () => {
    const e = await fed.routeTenant("it-fed-tenant", "mars_1").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FederationError);
    expect(e).toMatchObject({ code: "unknown_region", retryable: false });
    await expect(fed.syncRoutes({ a: "mars_1" })).rejects.toMatchObject({ code: "unknown_region" });
    await expect(fed.setRegionDown("mars_1", true)).rejects.toMatchObject({ code: "unknown_region" });
  });

  it("syncRoutes makes the router's table equal to the one given", async () => {
    const table: RouteTable = { "it-sync-a": "kl_dc_1", "it-sync-b": "cyberjaya_1", "it-sync-c": "cyberjaya_1" };
    await fed.syncRoutes(table);
    expect(await fed.readRoutes()).toEqual(table);
    const h = await fed.readHealth();
    expect(h.find((r) => r.regionId === "cyberjaya_1")!.figures.tenantsServed).toBe(2);
    expect((await viaRouter("it-sync-b")).region).toBe("cyberjaya_1");
    await fed.syncRoutes(original);
    expect(await fed.readRoutes()).toEqual(original);
  });

  it("setRegionDown puts the region's app in maintenance: its tenants get 503 from the router, never another region", async () => {
    await fed.routeTenant("it-fed-tenant", "cyberjaya_1");
    await fed.setRegionDown("cyberjaya_1", true);
    try {
      const h = (await fed.readHealth()).find((r) => r.regionId === "cyberjaya_1")!;
      expect(h.markedDown).toBe(true);
      expect(h.status).toBe("down");
      expect(h.reasons.join(" ")).toMatch(/maintenance/);
      expect(await viaRouter("it-fed-tenant")).toMatchObject({ status: 503, region: null });
    } finally {
      await fed.setRegionDown("cyberjaya_1", false);
    }
    expect((await fed.readHealth()).find((r) => r.regionId === "cyberjaya_1")!.markedDown).toBe(false);
    expect((await viaRouter("it-fed-tenant")).region).toBe("cyberjaya_1");
  });

  it("readHealth stays bounded and explains a dead component", async () => {
    const victim = cfg.regions[1].inference.name;
    await labCtl(victim, "kill");
    try {
      const t0 = Date.now();
      const h = await fed.readHealth();
      expect(Date.now() - t0).toBeLessThan(2500);
      const cy = h.find((r) => r.regionId === "cyberjaya_1")!;
      const inf = cy.components.find((c) => c.kind === "inference")!;
      expect(inf.status).toBe("down");
      expect(inf.reason).toMatch(/ECONNREFUSED/);
      expect(cy.status).toBe("degraded"); // inference is not critical for serving clinics
      expect(cy.figures.gpuUtilPct).toBeNull();
      expect(h.find((r) => r.regionId === "kl_dc_1")!.components.find((c) => c.kind === "inference")!.status).toBe("up");
    } finally {
      await labCtl(victim, "start");
    }
  });

  it("a region missing from the lab config is reported unknown, not thrown", async () => {
    const f = await createLabFederation({ regions: [...regions, { id: "penang_1", name: "Penang" }] });
    const h = await f.readHealth();
    expect(h.find((r) => r.regionId === "penang_1")).toMatchObject({ status: "unknown", components: [] });
    await f.close();
  });
});
