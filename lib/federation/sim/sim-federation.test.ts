import { describe, expect, it } from "vitest";
import { SimFederation } from "./sim-federation";
import { FederationError } from "../types";

const regions = [
  { id: "kl_dc_1", name: "KL DC" },
  { id: "cyberjaya_1", name: "Cyberjaya" },
];

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function tenants(n: number, region: string) {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`clinic-${region}-${i}`, region]));
}

describe("SimFederation", () => {
  it("reports every region healthy with all five components at start", async () => {
    const c = clock();
    const sim = new SimFederation({ regions, seed: 1, now: c.now, spikeRate: 0 });
    const health = await sim.readHealth();
    expect(health.map((h) => h.regionId)).toEqual(["kl_dc_1", "cyberjaya_1"]);
    for (const h of health) {
      expect(h.status).toBe("healthy");
      expect(h.components.map((x) => x.kind)).toEqual(["router", "galera", "postgres", "object_store", "inference"]);
      expect(h.measuredAt).toBe(c.now());
    }
  });

  it("moves its figures over time (noise), within plausible bounds", async () => {
    const c = clock();
    const sim = new SimFederation({ regions, seed: 7, now: c.now, spikeRate: 0 });
    await sim.syncRoutes(tenants(10, "kl_dc_1"));
    const lags = new Set<number | null>();
    for (let i = 0; i < 20; i++) {
      c.advance(1000);
      const [kl] = await sim.readHealth();
      lags.add(kl.figures.replicationLagMs);
      expect(kl.figures.replicationLagMs).toBeGreaterThan(0);
      expect(kl.figures.replicationLagMs).toBeLessThan(1000);
      expect(kl.figures.gpuUtilPct).toBeGreaterThanOrEqual(0);
      expect(kl.figures.gpuUtilPct).toBeLessThanOrEqual(100);
    }
    expect(lags.size).toBeGreaterThan(10);
  });

  it("produces lag spikes above the SLO that decay again", async () => {
    const c = clock();
    const sim = new SimFederation({ regions, seed: 3, now: c.now, spikeRate: 0.2 });
    const series: number[] = [];
    for (let i = 0; i < 120; i++) {
      c.advance(1000);
      series.push((await sim.readHealth())[0].figures.replicationLagMs!);
    }
    expect(Math.max(...series)).toBeGreaterThan(1000);
    expect(Math.min(...series)).toBeLessThan(300);
  });

  it("takes every component of a region marked down with it, with a reason", async () => {
    const c = clock();
    const sim = new SimFederation({ regions, seed: 1, now: c.now, spikeRate: 0 });
    await sim.setRegionDown("cyberjaya_1", true);
    c.advance(3000);
    const [kl, cyb] = await sim.readHealth();
    expect(cyb.status).toBe("down");
    expect(cyb.markedDown).toBe(true);
    expect(cyb.components.every((x) => x.status === "down" && x.reason?.includes("marked down"))).toBe(true);
    expect(cyb.figures.replicationLagMs).toBeNull();
    expect(cyb.figures.gpuUtilPct).toBeNull();
    // The surviving region says its cross-region replication source is gone, and the heartbeat lag grows.
    expect(kl.status).toBe("degraded");
    expect(kl.reasons.join(" ")).toMatch(/source region down/);
    expect(kl.figures.replicationLagMs).toBeGreaterThanOrEqual(3000);
  });

  it("comes back up healthy after the lag from its backlog decays", async () => {
    const c = clock();
    const sim = new SimFederation({ regions, seed: 2, now: c.now, spikeRate: 0 });
    await sim.setRegionDown("kl_dc_1", true);
    c.advance(5000);
    await sim.readHealth();
    await sim.setRegionDown("kl_dc_1", false);
    c.advance(1000);
    const [klBack] = await sim.readHealth();
    expect(klBack.status).not.toBe("down");
    expect(klBack.figures.replicationLagMs).toBeGreaterThan(1000);
    c.advance(30_000);
    const [kl] = await sim.readHealth();
    expect(kl.status).toBe("healthy");
    expect(kl.markedDown).toBe(false);
  });

  it("makes GPU load and requests follow the tenants a region serves", async () => {
    const c = clock();
    const sim = new SimFederation({ regions, seed: 5, now: c.now, spikeRate: 0 });
    const routes = { ...tenants(25, "kl_dc_1"), ...tenants(3, "cyberjaya_1") };
    await sim.syncRoutes(routes);
    c.advance(1000);
    const [kl, cyb] = await sim.readHealth();
    expect(kl.figures.tenantsServed).toBe(25);
    expect(cyb.figures.tenantsServed).toBe(3);
    expect(kl.figures.gpuUtilPct!).toBeGreaterThan(cyb.figures.gpuUtilPct! + 20);
    expect(kl.figures.requestsPerSec!).toBeGreaterThan(cyb.figures.requestsPerSec! * 4);

    // Move everything to Cyberjaya: the load follows.
    for (const t of Object.keys(routes)) await sim.routeTenant(t, "cyberjaya_1");
    c.advance(1000);
    const [kl2, cyb2] = await sim.readHealth();
    expect(cyb2.figures.tenantsServed).toBe(28);
    expect(cyb2.figures.gpuUtilPct!).toBeGreaterThan(kl2.figures.gpuUtilPct! + 20);
  });

  it("sends the traffic of a down region's tenants to the surviving region", async () => {
    const c = clock();
    const sim = new SimFederation({ regions, seed: 5, now: c.now, spikeRate: 0 });
    await sim.syncRoutes({ ...tenants(20, "kl_dc_1"), ...tenants(2, "cyberjaya_1") });
    c.advance(1000);
    const before = (await sim.readHealth())[1].figures.requestsPerSec!;
    await sim.setRegionDown("kl_dc_1", true);
    c.advance(1000);
    const after = (await sim.readHealth())[1].figures.requestsPerSec!;
    expect(after).toBeGreaterThan(before * 5);
  });

  it("refuses an unknown region with a typed error", async () => {
    const sim = new SimFederation({ regions, seed: 1 });
    await expect(sim.routeTenant("x", "penang_1")).rejects.toBeInstanceOf(FederationError);
    await expect(sim.setRegionDown("nowhere", true)).rejects.toMatchObject({ code: "unknown_region" });
    await expect(sim.syncRoutes({ a: "mars_1" })).rejects.toMatchObject({ code: "unknown_region" });
  });
});
