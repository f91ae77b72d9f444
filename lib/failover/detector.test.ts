import { describe, expect, it } from "vitest";
import type { RegionSignals } from "@/lib/federation/types";
import { Detector } from "./detector";

const opts = { confirmMs: 1500, heartbeatStaleMs: 1500 };

function signals(
  over: { console?: boolean; peerReachable?: boolean; io?: boolean | null; beatMs?: number | null; router?: boolean | null } = {},
): RegionSignals {
  return {
    regionId: "kl",
    console: { reachable: over.console ?? true, detail: over.console === false ? "app unreachable" : "app answers", at: 0 },
    peer: {
      regionId: "cy",
      reachable: over.peerReachable ?? true,
      ioRunning: over.io === undefined ? true : over.io,
      heartbeatAgeMs: over.beatMs === undefined ? 80 : over.beatMs,
      detail: "peer view",
      at: 0,
    },
    router: { up: over.router === undefined ? true : over.router, detail: "check", at: 0 },
    lease: null,
  };
}
const dead = { console: false, io: false, beatMs: 4000, router: false };

describe("Detector", () => {
  it("healthy while every signal says the region is there", () => {
    const a = new Detector(opts).assess(signals(), "KL DC", "Cyberjaya", 1000);
    expect(a.state).toBe("healthy");
    expect(a.signals.map((s) => [s.key, s.lost])).toEqual([
      ["console", false],
      ["peer", false],
      ["router", false],
    ]);
  });

  it("lost only after every signal agreed for the whole confirmation window", () => {
    const d = new Detector(opts);
    expect(d.assess(signals(dead), "KL DC", "Cyberjaya", 10_000)).toMatchObject({ state: "suspect", since: 10_000 });
    expect(d.assess(signals(dead), "KL DC", "Cyberjaya", 11_499).state).toBe("suspect");
    const a = d.assess(signals(dead), "KL DC", "Cyberjaya", 11_500);
    expect(a).toMatchObject({ state: "lost", since: 10_000 });
    expect(a.summary).toBe("KL DC is lost: every signal has agreed for 1.5 s");
  });

  it("one signal recovering restarts the window", () => {
    const d = new Detector(opts);
    d.assess(signals(dead), "KL DC", "Cyberjaya", 0);
    d.assess(signals({ ...dead, router: true }), "KL DC", "Cyberjaya", 1000);
    expect(d.assess(signals(dead), "KL DC", "Cyberjaya", 2000)).toMatchObject({ state: "suspect", since: 2000 });
    expect(d.assess(signals(dead), "KL DC", "Cyberjaya", 3500).state).toBe("lost");
  });

  it("unreachable from the console but heard by the other region: never lost", () => {
    const d = new Detector(opts);
    for (let t = 0; t <= 10_000; t += 500) {
      const a = d.assess(signals({ console: false, router: false }), "KL DC", "Cyberjaya", t);
      // said once the console has lost it for the confirmation window (a dying region's last heartbeats are still fresh)
      expect(a.state).toBe(t < 1500 ? "suspect" : "unreachable_alive");
    }
    expect(d.assess(signals({ console: false }), "KL DC", "Cyberjaya", 10_500).summary).toBe(
      "KL DC is unreachable from the console, alive according to Cyberjaya: no failover",
    );
  });

  it("the other region still receiving (IO thread up) or a fresh heartbeat is not 'no longer heard'", () => {
    const d = new Detector(opts);
    for (let t = 0; t <= 5000; t += 500) expect(d.assess(signals({ ...dead, io: true }), "KL DC", "Cyberjaya", t).state).toBe("suspect");
    expect(d.assess(signals({ ...dead, beatMs: 200 }), "KL DC", "Cyberjaya", 6000).state).toBe("unreachable_alive");
    expect(d.assess(signals({ ...dead, beatMs: 200 }), "KL DC", "Cyberjaya", 6000).summary).toMatch(/alive according to Cyberjaya/);
  });

  it("the console unable to ask either region suspects its own network, never declares a loss", () => {
    const d = new Detector(opts);
    for (let t = 0; t <= 5000; t += 500) {
      const a = d.assess(signals({ console: false, peerReachable: false, io: null, beatMs: null, router: false }), "KL DC", "Cyberjaya", t);
      expect(a.state).toBe("suspect");
      expect(a.summary).toMatch(/console's own network is suspect/);
    }
  });

  it("says which signals disagree", () => {
    const a = new Detector(opts).assess(signals({ router: false }), "KL DC", "Cyberjaya", 0);
    expect(a.summary).toBe("KL DC: haproxy health check says lost; console's own probe and heard by cyberjaya do not");
  });
});
