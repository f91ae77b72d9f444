import { describe, expect, it } from "vitest";
import { LiveHealth } from "./live";
import { SimFederation } from "@/lib/federation/sim/sim-federation";

describe("LiveHealth window", () => {
  it("keeps the last minutes of every series and answers what was missed since a time", async () => {
    let now = 1_800_000_000_000;
    const sim = new SimFederation({ regions: [{ id: "kl_dc_1", name: "KL DC" }], seed: 3, now: () => now, spikeRate: 0 });
    const live = new LiveHealth(300, 60_000);
    for (let i = 0; i < 120; i++) {
      now += 1000;
      live.update(await sim.readHealth());
    }
    const lag = live.pointsSince((s) => s === "kl_dc_1:galera:cross_region_lag_ms");
    expect(lag.length).toBe(61);
    expect(lag[0].t).toBe(now - 60_000);
    const missed = live.pointsSince((s) => s.startsWith("kl_dc_1:galera:"), now - 5000);
    expect(new Set(missed.map((p) => p.t)).size).toBe(5);
    expect(missed.every((p) => p.t > now - 5000)).toBe(true);
  });

  it("ignores a repeated sample", async () => {
    const live = new LiveHealth();
    const p = { series: "a:galera:x", t: 5, v: 1 };
    expect(live.add([p])).toHaveLength(1);
    expect(live.add([p])).toHaveLength(0);
  });
});
