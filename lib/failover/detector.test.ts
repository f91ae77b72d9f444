import { describe, expect, it } from "vitest";
import type { RegionSignals } from "@/lib/federation/types";
import { Detector } from "./detector";

const opts = { confirmMs: 1500, heartbeatStaleMs: 1500 };

/** The signals of one reading at `at` (a failed probe: sent at `sentAt`, default `at`). */
function signals(
  over: { console?: boolean; peerReachable?: boolean; io?: boolean | null; beatMs?: number | null; router?: boolean | null; sentAt?: number } = {},
  at = 0,
): RegionSignals {
  return {
    regionId: "kl",
    console: { reachable: over.console ?? true, detail: over.console === false ? "app unreachable" : "app answers", at: over.sentAt ?? at },
    peer: {
      regionId: "cy",
      reachable: over.peerReachable ?? true,
      ioRunning: over.io === undefined ? true : over.io,
      heartbeatAgeMs: over.beatMs === undefined ? 80 : over.beatMs,
      detail: "peer view",
      at,
    },
    router: { up: over.router === undefined ? true : over.router, detail: "check", at },
    lease: null,
  };
}
const dead = { console: false, io: false, beatMs: 4000, router: false };

describe("Detector", () => {
  it("healthy while every signal says the region is there", () => {
    const a = new Detector(opts).assess(signals({}, 1000), "KL DC", "Cyberjaya", 1000);
    expect(a.state).toBe("healthy");
    expect(a.signals.map((s) => [s.key, s.lost])).toEqual([
      ["console", false],
      ["peer", false],
      ["router", false],
    ]);
  });

  it("lost once the console has had no answer for the whole confirmation window and the other signals agree", () => {
    const d = new Detector(opts);
    expect(d.assess(signals(dead, 10_000), "KL DC", "Cyberjaya", 10_000)).toMatchObject({ state: "suspect", since: 10_000 });
    expect(d.assess(signals(dead, 11_499), "KL DC", "Cyberjaya", 11_499).state).toBe("suspect");
    const a = d.assess(signals(dead, 11_500), "KL DC", "Cyberjaya", 11_500);
    expect(a).toMatchObject({ state: "lost", since: 10_000 });
    expect(a.summary).toBe("KL DC is lost: no answer to the console for 1.5 s, Cyberjaya no longer hears it, HAProxy marks it down");
  });

  it("the window counts from the sending of the first unanswered probe (a timed-out probe's reading ends later)", () => {
    const d = new Detector(opts);
    expect(d.assess(signals({ ...dead, sentAt: 9_200 }, 10_000), "KL DC", "Cyberjaya", 10_000)).toMatchObject({ state: "suspect", since: 9_200 });
    expect(d.assess(signals({ ...dead, sentAt: 10_000 }, 10_800), "KL DC", "Cyberjaya", 10_800)).toMatchObject({ state: "lost", since: 9_200 });
  });

  it("the other signals must agree at the same reading; the console answering again restarts the window", () => {
    const d = new Detector(opts);
    d.assess(signals(dead, 0), "KL DC", "Cyberjaya", 0);
    // HAProxy still says up at 1.5 s: not lost yet; as soon as it agrees, lost (the console's window is over)
    expect(d.assess(signals({ ...dead, router: true }, 1500), "KL DC", "Cyberjaya", 1500).state).toBe("suspect");
    expect(d.assess(signals(dead, 1750), "KL DC", "Cyberjaya", 1750).state).toBe("lost");
    d.assess(signals({ ...dead, console: true }, 2000), "KL DC", "Cyberjaya", 2000);
    expect(d.assess(signals(dead, 2500), "KL DC", "Cyberjaya", 2500)).toMatchObject({ state: "suspect", since: 2500 });
    expect(d.assess(signals(dead, 4000), "KL DC", "Cyberjaya", 4000).state).toBe("lost");
  });

  it("unreachable from the console but heard by the other region: never lost", () => {
    const d = new Detector(opts);
    for (let t = 0; t <= 10_000; t += 500) {
      const a = d.assess(signals({ console: false, router: false }, t), "KL DC", "Cyberjaya", t);
      // said once the console has lost it for the confirmation window (a dying region's last heartbeats are still fresh)
      expect(a.state).toBe(t < 1500 ? "suspect" : "unreachable_alive");
    }
    expect(d.assess(signals({ console: false }, 10_500), "KL DC", "Cyberjaya", 10_500).summary).toBe(
      "KL DC is unreachable from the console, alive according to Cyberjaya: no failover",
    );
  });

  it("the other region still receiving (IO thread up) or a fresh heartbeat is not 'no longer heard'", () => {
    const d = new Detector(opts);
    for (let t = 0; t <= 5000; t += 500) expect(d.assess(signals({ ...dead, io: true }, t), "KL DC", "Cyberjaya", t).state).toBe("suspect");
    expect(d.assess(signals({ ...dead, beatMs: 200 }, 6000), "KL DC", "Cyberjaya", 6000).state).toBe("unreachable_alive");
    expect(d.assess(signals({ ...dead, beatMs: 200 }, 6000), "KL DC", "Cyberjaya", 6000).summary).toMatch(/alive according to Cyberjaya/);
  });

  it("the console unable to ask either region suspects its own network, never declares a loss", () => {
    const d = new Detector(opts);
    for (let t = 0; t <= 5000; t += 500) {
      const a = d.assess(signals({ console: false, peerReachable: false, io: null, beatMs: null, router: false }, t), "KL DC", "Cyberjaya", t);
      expect(a.state).toBe("suspect");
      expect(a.summary).toMatch(/console's own network is suspect/);
    }
  });

  it("says which signals disagree", () => {
    const a = new Detector(opts).assess(signals({ router: false }, 0), "KL DC", "Cyberjaya", 0);
    expect(a.summary).toBe("KL DC: haproxy health check says lost; console's own probe and heard by cyberjaya do not");
  });
});
