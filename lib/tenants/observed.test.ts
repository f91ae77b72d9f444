import { describe, expect, it } from "vitest";
import type { RegionHealth, TenantProbe } from "@/lib/federation/types";
import { observeServing, withTenantImpact } from "./observed";

const region = (regionId: string, name: string, status: RegionHealth["status"] = "healthy", reasons: string[] = []): RegionHealth => ({
  regionId,
  name,
  status,
  reasons,
  components: [],
  figures: { replicationLagMs: 10, replicationLagPeakMs: 12, gpuUtilPct: null, requestsPerSec: null, tenantsServed: 0 },
  markedDown: false,
  measuredAt: 1000,
});
const probe = (tenant: string, by: string | null, ok = true, error: string | null = null): TenantProbe => ({
  tenant,
  ok,
  servedBy: by,
  writeBy: ok ? by : null,
  writeNote: null,
  latencyMs: ok ? 12 : null,
  error,
  measuredAt: 900,
});

describe("observed serving region", () => {
  const regions = [
    region("kl_dc_1", "KL DC", "degraded", [
      "requests fail for some tenants served here (1 of 30): klinik-x — read: no answer",
      "app server app_kl_dc_1 DOWN (health check failed)",
    ]),
    region("cyberjaya_1", "Cyberjaya"),
  ];

  it("is the region that answered, flagged with the reason when it is not the route", () => {
    const o = observeServing("kl_dc_1", probe("klinik-a", "cyberjaya_1"), regions)!;
    expect(o).toMatchObject({ regionId: "cyberjaya_1", elsewhere: true, ok: true });
    expect(o.reason).toBe("routed to KL DC, answered by Cyberjaya — KL DC: app server app_kl_dc_1 DOWN (health check failed)");
    expect(o.residencyBreach).toBe(false);
  });

  it("says so first when the region that answered is outside the tenant's residency lock", () => {
    const o = observeServing("kl_dc_1", probe("klinik-kota-bharu", "cyberjaya_1"), regions, ["kl_dc_1"])!;
    expect(o.residencyBreach).toBe(true);
    expect(o.reason).toMatch(/^outside its residency lock \(KL DC only\): routed to KL DC, answered by Cyberjaya/);
  });

  it("is not flagged when the route's region answered, and says nothing before the first probe", () => {
    expect(observeServing("cyberjaya_1", probe("klinik-b", "cyberjaya_1"), regions)).toMatchObject({ elsewhere: false, reason: null });
    expect(observeServing("cyberjaya_1", undefined, regions)).toBeNull();
  });

  it("a write acknowledged by one region counts over a read answered by another", () => {
    const p = { ...probe("klinik-c", "kl_dc_1"), writeBy: "cyberjaya_1" };
    expect(observeServing("kl_dc_1", p, regions)?.regionId).toBe("cyberjaya_1");
  });
});

describe("region status with tenant impact", () => {
  const routes = { "klinik-a": "cyberjaya_1", "klinik-b": "cyberjaya_1", "klinik-c": "kl_dc_1" };

  it("a region whose every tenant fails is down, naming them and the error, though its components look fine", () => {
    const probes = new Map([
      ["klinik-a", probe("klinik-a", "cyberjaya_1", false, "read: HTTP 500 from cyberjaya_1")],
      ["klinik-b", probe("klinik-b", "cyberjaya_1", false, "read: HTTP 500 from cyberjaya_1")],
      ["klinik-c", probe("klinik-c", "kl_dc_1")],
    ]);
    const cy = region("cyberjaya_1", "Cyberjaya", "degraded", ["PostgreSQL: pg-cy unreachable"]);
    const out = withTenantImpact(cy, routes, probes, [cy]);
    expect(out.status).toBe("down");
    expect(out.reasons[0]).toBe("requests fail for every tenant served here (2 of 2): klinik-a, klinik-b — read: HTTP 500 from cyberjaya_1");
    expect(out.reasons).toContain("PostgreSQL: pg-cy unreachable");
    expect(out.figures.tenantsObserved).toBe(2);
  });

  it("some tenants failing make a healthy region degraded", () => {
    const probes = new Map([
      ["klinik-a", probe("klinik-a", "cyberjaya_1", false, "write: no answer within 800 ms")],
      ["klinik-b", probe("klinik-b", "cyberjaya_1")],
    ]);
    const out = withTenantImpact(region("cyberjaya_1", "Cyberjaya"), routes, probes, []);
    expect(out.status).toBe("degraded");
    expect(out.reasons[0]).toMatch(/^requests fail for some tenants served here \(1 of 2\): klinik-a/);
  });

  it("tenants routed here but answered elsewhere are named, and the answering region counts them as observed", () => {
    const probes = new Map([["klinik-c", probe("klinik-c", "cyberjaya_1")]]);
    const kl = region("kl_dc_1", "KL DC");
    const cy = region("cyberjaya_1", "Cyberjaya");
    const klOut = withTenantImpact(kl, routes, probes, [kl, cy]);
    expect(klOut.status).toBe("degraded");
    expect(klOut.figures.tenantsElsewhere).toEqual(["klinik-c"]);
    expect(klOut.reasons).toContain("1 tenant routed here is served by another region: klinik-c");
    expect(withTenantImpact(cy, routes, probes, [kl, cy]).figures.tenantsObserved).toBe(1);
  });

  it("names residency-locked tenants answered outside their lock first", () => {
    const probes = new Map([["klinik-kota-bharu", probe("klinik-kota-bharu", "cyberjaya_1")]]);
    const kl = region("kl_dc_1", "KL DC");
    const cy = region("cyberjaya_1", "Cyberjaya");
    const out = withTenantImpact(cy, { "klinik-kota-bharu": "kl_dc_1" }, probes, [kl, cy], { "klinik-kota-bharu": ["kl_dc_1"] });
    expect(out.status).toBe("degraded");
    expect(out.reasons[0]).toBe("residency: klinik-kota-bharu (KL DC only) answered here, outside its residency lock");
    expect(out.figures.residencyBreaches).toEqual(["klinik-kota-bharu"]);
  });

  it("never lowers a status", () => {
    const out = withTenantImpact(region("kl_dc_1", "KL DC", "down", ["every node unreachable"]), routes, new Map(), []);
    expect(out.status).toBe("down");
  });
});
