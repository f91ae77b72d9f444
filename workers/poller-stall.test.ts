import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Poller } from "./poller";
import { TenantProber } from "./tenant-prober";
import { LiveHealth } from "@/lib/telemetry/live";
import { Bus } from "@/lib/realtime/bus";
import { SimFederation } from "@/lib/federation/sim/sim-federation";
import { StallDetector } from "@/lib/telemetry/stall";
import type { HistoryStore } from "@/lib/telemetry/history";
import type { ComponentHealth, ComponentProbe, RegionHealth, TenantProbe } from "@/lib/federation/types";
import type { Point } from "@/lib/telemetry/series";

// Probe results that span a stall of the console itself are discarded and re-taken, never
// reported as the component's failure. Fake timers and a fake clock: a stall is the clock
// moving on while no timer runs (vi.setSystemTime), as a SIGSTOPped or blocked process sees it.

const regions = [
  { id: "kl_dc_1", name: "KL DC" },
  { id: "cyberjaya_1", name: "Cyberjaya" },
];

type Script = (real: () => Promise<ComponentHealth>) => Promise<ComponentHealth>;

/** The simulation, with Cyberjaya's PostgreSQL probe run by the test's script when one is set. */
class ScriptedSim extends SimFederation {
  calls = 0;
  script: Script | null = null;
  probes(): ComponentProbe[] {
    return super.probes().map((p) =>
      p.regionId === "cyberjaya_1" && p.kind === "postgres"
        ? {
            ...p,
            run: () => {
              this.calls++;
              return this.script ? this.script(() => p.run()) : p.run();
            },
          }
        : p,
    );
  }
}

/** What a connector says when its connection died while the console was stopped. */
const closed = (): ComponentHealth => ({
  kind: "postgres",
  name: "PostgreSQL",
  status: "down",
  reason: "other side closed",
  figures: [],
  measuredAt: Date.now(),
});

/** The loop stops running for `ms`: the clock moves, no timer fires. */
const freeze = (ms: number) => vi.setSystemTime(Date.now() + ms);
const pg = (rs: RegionHealth[]) => rs.find((r) => r.regionId === "cyberjaya_1")!.components.find((c) => c.kind === "postgres")!;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(1_800_000_000_000);
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function setup(withDetector = true) {
  const sim = new ScriptedSim({ regions, seed: 4, spikeRate: 0 });
  const bus = new Bus();
  const samples: RegionHealth[][] = [];
  bus.on("health", (r) => samples.push(r));
  const stalls = new StallDetector({ thresholdMs: 500, intervalMs: 100 });
  if (withDetector) stalls.start();
  const poller = new Poller(sim, new LiveHealth(), bus, 1000, 600, withDetector ? stalls : undefined);
  return { sim, samples, stalls, poller };
}

/** One round: it publishes when its probes answered or at its 600 ms deadline. */
async function round(poller: Poller): Promise<void> {
  const done = poller.pollNow();
  await vi.advanceTimersByTimeAsync(600);
  await done;
}

describe("Poller across a stall of the console", () => {
  it("discards an answer whose probe was in flight during the stall and re-takes it at once", async () => {
    const { sim, samples, stalls, poller } = setup();
    await round(poller);
    expect(pg(samples.at(-1)!).status).toBe("up");

    // The request goes out, the console stops for 2 s, and the answer that comes back is a failure.
    sim.calls = 0;
    sim.script = () => new Promise((resolve) => setTimeout(() => resolve(closed()), 300));
    const done = poller.pollNow();
    await vi.advanceTimersByTimeAsync(10); // every other component answered; PostgreSQL's request is out
    freeze(2000);
    await vi.advanceTimersByTimeAsync(100); // the detector's overdue tick records the stall
    sim.script = (real) => real(); // the re-take reaches the live component
    await vi.advanceTimersByTimeAsync(500);
    await done;

    expect(sim.calls).toBe(2);
    const now = pg(samples.at(-1)!);
    expect(now.status).toBe("up");
    expect(now.reason).toBeNull();
    expect(stalls.figures().discarded).toEqual({ poller: 1 });
    expect(stalls.figures().count).toBe(1);
    expect(samples.some((s) => pg(s).status === "down")).toBe(false);
  });

  it("keeps the previous answer when the failure arrives before the detector's tick and the re-take spans the stall too", async () => {
    const { sim, samples, stalls, poller } = setup();
    await round(poller);
    const before = pg(samples.at(-1)!);
    expect(before.status).toBe("up");

    // After SIGCONT the loop runs I/O callbacks before timers: the probe's failure is handled
    // before the detector's timer has seen the gap, and the immediate re-take meets connections
    // that died meanwhile.
    sim.calls = 0;
    let first = true;
    sim.script = async () => {
      if (first) {
        first = false;
        await new Promise((r) => setTimeout(r, 50)); // every other component answers meanwhile
        freeze(1500);
      }
      return closed();
    };
    await round(poller);

    expect(sim.calls).toBe(2);
    const after = pg(samples.at(-1)!);
    expect(after.status).toBe("up");
    expect(after.measuredAt).toBe(before.measuredAt);
    expect(stalls.figures()).toMatchObject({ count: 1, discarded: { poller: 2 } });

    // Once the loop runs normally again, answers are taken as they are: a real failure shows.
    sim.calls = 0;
    await new Promise<void>((r) => setImmediate(r));
    await vi.advanceTimersByTimeAsync(1000);
    await round(poller);
    expect(sim.calls).toBe(1);
    expect(pg(samples.at(-1)!)).toMatchObject({ status: "down", reason: "other side closed" });
  });

  it("without a detector, the same stall is reported as the component's failure (what the lab saw)", async () => {
    const { sim, samples, poller } = setup(false);
    await round(poller);
    sim.script = async () => {
      freeze(1500);
      return closed();
    };
    await round(poller);
    expect(pg(samples.at(-1)!).status).toBe("down");
  });

  it("does not count the console's own stall as a component's silence", async () => {
    const { sim, samples, poller, stalls } = setup();
    await round(poller);
    freeze(8000);
    await vi.advanceTimersByTimeAsync(100);
    expect(stalls.figures().longestMs).toBeGreaterThanOrEqual(8000);

    // The first round after the stall: PostgreSQL's answer is slow (past the round's deadline),
    // its last answer is 8 s old, but the console was the one not listening.
    sim.script = () => new Promise(() => undefined);
    await round(poller);
    expect(pg(samples.at(-1)!).status).toBe("up");

    // Still silent 4 s after the stall: now that is the component's silence.
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(400);
      await round(poller);
    }
    expect(pg(samples.at(-1)!)).toMatchObject({ status: "unknown", reason: expect.stringMatching(/^no answer for \d+ s \(last seen up\)$/) });
  });
});

describe("TenantProber across a stall of the console", () => {
  class ScriptedTenants extends SimFederation {
    calls = 0;
    script: ((real: () => Promise<TenantProbe>) => Promise<TenantProbe>) | null = null;
    async probeTenant(tenant: string): Promise<TenantProbe> {
      this.calls++;
      return this.script ? this.script(() => super.probeTenant(tenant)) : super.probeTenant(tenant);
    }
  }

  function setupProber() {
    const sim = new ScriptedTenants({ regions, seed: 4, spikeRate: 0 });
    const live = new LiveHealth();
    const appended: Point[] = [];
    const history = { append: (p: Point[]) => void appended.push(...p) } as unknown as HistoryStore;
    const stalls = new StallDetector({ thresholdMs: 500, intervalMs: 100 });
    stalls.start();
    const prober = new TenantProber(sim, live, history, new Bus(), 5000, 4, stalls);
    return { sim, appended, stalls, prober };
  }
  /** A real probe's result, turned into the failure a connection that died during the stall gives. */
  const failed = (r: TenantProbe): TenantProbe => ({ ...r, ok: false, servedBy: null, latencyMs: null, error: "other side closed", measuredAt: Date.now() });

  it("re-takes a probe that spanned a stall: the failure is neither the latest result nor a latency point", async () => {
    const { sim, appended, stalls, prober } = setupProber();
    await sim.syncRoutes({ "klinik-kuantan": "kl_dc_1" });
    sim.script = (real) => real().then((r) => new Promise((resolve) => setTimeout(() => resolve(failed(r)), 300)));
    const pending = prober.probe("klinik-kuantan");
    freeze(3000);
    await vi.advanceTimersByTimeAsync(100);
    sim.script = null;
    await vi.advanceTimersByTimeAsync(300);
    const r = await pending;

    expect(sim.calls).toBe(2);
    expect(r).toMatchObject({ ok: true, servedBy: "kl_dc_1" });
    expect(prober.latest.get("klinik-kuantan")?.ok).toBe(true);
    expect(appended).toHaveLength(1);
    expect(appended[0].v).not.toBeNull();
    expect(stalls.figures().discarded).toEqual({ "tenant-prober": 1 });
  });

  it("records nothing when the re-take spans the stall too", async () => {
    const { sim, appended, stalls, prober } = setupProber();
    await sim.syncRoutes({ "klinik-kuantan": "kl_dc_1" });
    let first = true;
    sim.script = async (real) => {
      const r = await real();
      if (first) {
        first = false;
        freeze(1500);
      }
      return failed(r);
    };
    expect(await prober.probe("klinik-kuantan")).toBeNull();
    expect(prober.latest.has("klinik-kuantan")).toBe(false);
    expect(appended).toEqual([]);
    expect(stalls.figures().discarded).toEqual({ "tenant-prober": 2 });
  });
});
