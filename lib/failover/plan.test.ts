import { describe, expect, it } from "vitest";
import { planFailover, type PlanTenant } from "./plan";

const names: Record<string, string> = { kl: "KL DC", cy: "Cyberjaya", sg: "Singapore" };
const tenant = (slug: string, over: Partial<PlanTenant> = {}): PlanTenant => ({
  id: `id-${slug}`,
  slug,
  name: slug.toUpperCase(),
  servingRegionId: "kl",
  failoverRegionId: "cy",
  allowedRegions: [],
  failoverAccess: "full",
  ...over,
});
const plan = (tenants: PlanTenant[], available = ["cy"]) =>
  planFailover({ lostRegionId: "kl", tenants, available, regionName: (id) => names[id] ?? id, rpoInto: (r) => (r === "cy" ? 120 : 300) });

describe("planFailover", () => {
  it("moves each tenant the lost region served to its failover region, with the predicted RPO; others are not touched", () => {
    const p = plan([tenant("b"), tenant("a"), tenant("c", { servingRegionId: "cy" })]);
    expect(p.map((e) => [e.slug, e.action, e.toRegionId, e.rpoMs])).toEqual([
      ["a", "move", "cy", 120],
      ["b", "move", "cy", 120],
    ]);
    expect(p[0].reason).toBe("served by Cyberjaya, its failover region");
  });

  it("a read-only tenant is served read-only", () => {
    const [e] = plan([tenant("ro", { failoverAccess: "read_only" })]);
    expect(e).toMatchObject({ action: "read_only", toRegionId: "cy" });
    expect(e.reason).toMatch(/read-only by Cyberjaya.*"during failover" setting is read-only/);
  });

  it("a residency-locked tenant with no allowed region left is held in place, with the reason", () => {
    const [e] = plan([tenant("locked", { allowedRegions: ["kl"] })]);
    expect(e).toMatchObject({ action: "held", toRegionId: null, rpoMs: null });
    expect(e.reason).toBe("unavailable, data held in place in KL DC: residency lock allows only KL DC (Cyberjaya: outside its residency lock)");
  });

  it("when the failover region is not available, another region the lock allows is chosen and the reason says why", () => {
    const [e] = plan([tenant("t", { allowedRegions: ["kl", "sg"] })], ["cy", "sg"]);
    expect(e).toMatchObject({ action: "move", toRegionId: "sg", rpoMs: 300 });
    expect(e.reason).toMatch(/Singapore, the available region its lock allows \(Cyberjaya: outside its residency lock\)/);
    const [f] = plan([tenant("u")], ["sg"]);
    expect(f).toMatchObject({ action: "move", toRegionId: "sg" });
    expect(f.reason).toMatch(/failover region Cyberjaya is not available/);
  });

  it("no region available at all: held", () => {
    const [e] = plan([tenant("t")], []);
    expect(e.action).toBe("held");
    expect(e.reason).toMatch(/no other region is available/);
  });
});
