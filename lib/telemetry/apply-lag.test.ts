import { describe, expect, it } from "vitest";
import { ApplyLagTracker, type Beat } from "./apply-lag";

// A simulated link: the source writes a heartbeat every `beat` ms, the receiver applies each
// `delay` ms later except while stalled (then everything waits for the end of the stall), and a
// reader polls the receiver every `poll` ms.
function simulate(opts: { beat: number; poll: number; delay: number; stalls: Array<[number, number]>; until: number; pauses?: Array<[number, number]> }) {
  const beats: Array<Beat & { applied: number }> = [];
  for (let t = 1000, seq = 1; t < opts.until; t += opts.beat, seq++) {
    let applied = t + opts.delay;
    for (const [s, e] of opts.stalls) if (applied >= s && applied < e) applied = e + opts.delay;
    beats.push({ seq, ts: t, applied });
  }
  const tracker = new ApplyLagTracker({ beatIntervalMs: opts.beat, maxPollGapMs: 4 * opts.poll });
  for (let now = 1003; now < opts.until; now += opts.poll) {
    if (opts.pauses?.some(([s, e]) => now >= s && now < e)) continue;
    const after = tracker.after;
    tracker.observe({ beats: beats.filter((b) => b.applied <= now && (after === null || b.seq > after)).slice(-4096), serverNow: now });
  }
  return tracker;
}

describe("ApplyLagTracker", () => {
  it("reports a healthy link's lag as the delay of each heartbeat, within the poll's resolution", () => {
    const t = simulate({ beat: 25, poll: 20, delay: 3, stalls: [], until: 5000 });
    const r = t.read(4000, 5000);
    expect(r.beats).toBeGreaterThan(30);
    expect(r.peakMs!).toBeLessThanOrEqual(3 + 10 + 0.1);
    expect(r.currentMs!).toBeLessThanOrEqual(13.1);
  });

  it.each([500, 1000, 3000, 10_000])("captures the peak of a %i ms stall within ±50 ms, though the stall ends between two 1 s samples", (stall) => {
    for (const start of [10_000, 10_007, 10_013, 10_021]) {
      const t = simulate({ beat: 25, poll: 20, delay: 2, stalls: [[start, start + stall]], until: start + stall + 2000 });
      const r = t.read(start - 1, start + stall + 2000);
      expect(Math.abs(r.peakMs! - stall)).toBeLessThanOrEqual(50);
      // afterwards the lag is small again
      expect(t.read(start + stall + 1500, Infinity).currentMs!).toBeLessThan(20);
    }
  });

  it("reports a stall in progress as a growing lower bound", () => {
    const t = simulate({ beat: 25, poll: 20, delay: 2, stalls: [[2000, 60_000]], until: 4500 });
    const r = t.read(0, Infinity);
    expect(r.currentMs!).toBeGreaterThan(2400);
    expect(r.currentMs!).toBeLessThanOrEqual(2500);
  });

  it("gives no lag to heartbeats that appeared while the reader was paused (the console's own stall is not the link's)", () => {
    const t = simulate({ beat: 25, poll: 20, delay: 2, stalls: [], until: 20_000, pauses: [[10_000, 18_000]] });
    const r = t.read(9000, Infinity);
    expect(r.peakMs!).toBeLessThan(20);
    expect(t.unmeasured).toBeGreaterThan(300);
  });

  it("says nothing was measured before the first heartbeat, and after the receiver was lost", () => {
    const t = new ApplyLagTracker({ beatIntervalMs: 25, maxPollGapMs: 100 });
    expect(t.read(0, Infinity)).toMatchObject({ currentMs: null, peakMs: null });
    t.observe({ beats: [{ seq: 1, ts: 1000 }], serverNow: 1002 });
    expect(t.read(0, Infinity).currentMs).toBeNull();
    t.observe({ beats: [{ seq: 2, ts: 1025 }], serverNow: 1030 });
    expect(t.read(0, Infinity).currentMs).toBe(2.5);
    t.lost();
    expect(t.read(0, Infinity).currentMs).toBeNull();
  });
});
