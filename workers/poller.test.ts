import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Poller } from "./poller";
import { LiveHealth } from "@/lib/telemetry/live";
import { Bus } from "@/lib/realtime/bus";
import { SimFederation } from "@/lib/federation/sim/sim-federation";
import type { ComponentProbe, RegionHealth } from "@/lib/federation/types";

const regions = [
  { id: "kl_dc_1", name: "KL DC" },
  { id: "cyberjaya_1", name: "Cyberjaya" },
];

/** The simulation with one component that stops answering (a hung TCP connection). */
class HangingSim extends SimFederation {
  calls = 0;
  hang = true;
  probes(): ComponentProbe[] {
    return super.probes().map((p) =>
      p.regionId === "cyberjaya_1" && p.kind === "postgres"
        ? {
            ...p,
            run: () => {
              this.calls++;
              return this.hang ? new Promise(() => undefined) : p.run();
            },
          }
        : p,
    );
  }
}

// Fake timers and a fake clock: the schedule, the deadlines and the ages are exact, whatever
// else the machine is doing.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("Poller", () => {
  it("keeps publishing fresh samples while one component hangs, marks it unknown, and never piles probes up", async () => {
    const sim = new HangingSim({ regions, seed: 4, spikeRate: 0 });
    const bus = new Bus();
    const samples: { at: number; regions: RegionHealth[] }[] = [];
    bus.on("health", (r) => samples.push({ at: Date.now(), regions: r }));
    const poller = new Poller(sim, new LiveHealth(), bus, 200, 100);
    poller.start();
    await vi.advanceTimersByTimeAsync(1500);
    await poller.stop();

    // One sample per period, each published at its round's deadline, not held by the hung probe.
    expect(samples.length).toBe(7);
    const last = samples.at(-1)!.regions;
    const kl = last.find((r) => r.regionId === "kl_dc_1")!;
    expect(kl.status).toBe("healthy");
    expect(samples.at(-1)!.at - kl.measuredAt).toBeLessThanOrEqual(100);
    const cyb = last.find((r) => r.regionId === "cyberjaya_1")!;
    const pg = cyb.components.find((c) => c.kind === "postgres")!;
    expect(pg.status).toBe("unknown");
    expect(pg.reason).toBe("not measured yet");
    expect(cyb.components.find((c) => c.kind === "galera")!.status).toBe("up");
    // One hung call, not one per round.
    expect(sim.calls).toBe(1);
  });

  it("reports a component that stopped answering as unknown with how long it has been silent", async () => {
    const sim = new HangingSim({ regions, seed: 4, spikeRate: 0 });
    sim.hang = false;
    const bus = new Bus();
    let latest: RegionHealth[] = [];
    bus.on("health", (r) => (latest = r));
    const poller = new Poller(sim, new LiveHealth(), bus, 1000, 100);
    await round(poller);
    expect(latest.find((r) => r.regionId === "cyberjaya_1")!.components.find((c) => c.kind === "postgres")!.status).toBe("up");
    sim.hang = true;
    for (let i = 0; i < 33; i++) await round(poller);
    const pg = latest.find((r) => r.regionId === "cyberjaya_1")!.components.find((c) => c.kind === "postgres")!;
    expect(pg.status).toBe("unknown");
    expect(pg.reason).toMatch(/^no answer for 3 s \(last seen up\)$/);
    expect(pg.figures).toEqual([]);
  });
});

/** One round: it publishes when its probes answered or at its 100 ms deadline. */
async function round(poller: Poller): Promise<void> {
  const done = poller.pollNow();
  await vi.advanceTimersByTimeAsync(100);
  await done;
}
