import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StallDetector } from "./stall";
import type { ConsoleStall } from "@/lib/liveness";

// A fake clock and fake interval timers: a stall is the clock moving on while no timer runs
// (vi.setSystemTime), exactly what a blocked or SIGSTOPped process looks like from inside.
// setImmediate stays real: it marks the loop's first I/O poll after a stall.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(1_800_000_000_000);
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** The loop stops running for `ms`: the clock moves, no timer fires. */
const freeze = (ms: number) => vi.setSystemTime(Date.now() + ms);
const nextLoopTurn = () => new Promise<void>((r) => setImmediate(r));

function started(opts: ConstructorParameters<typeof StallDetector>[0] = {}) {
  const d = new StallDetector({ thresholdMs: 500, intervalMs: 100, ...opts });
  const seen: ConsoleStall[] = [];
  d.onStall((s) => seen.push(s));
  d.start();
  return { d, seen };
}

describe("StallDetector", () => {
  it("counts nothing while its timer runs on time, nor for a late tick under the threshold", async () => {
    const { d, seen } = started();
    await vi.advanceTimersByTimeAsync(5000);
    freeze(350); // late by 350 ms: a gap of 450 ms between ticks, under 500
    await vi.advanceTimersByTimeAsync(100);
    expect(seen).toEqual([]);
    expect(d.figures()).toMatchObject({ count: 0, totalMs: 0, longestMs: 0, last: null, thresholdMs: 500 });
    expect(d.health().state).toBe("running");
    d.stop();
  });

  it("records a stall from its timer's drift: when, how long, how many, the longest", async () => {
    const { d, seen } = started();
    await vi.advanceTimersByTimeAsync(1000);
    const lastTick = Date.now();
    freeze(2000);
    await vi.advanceTimersByTimeAsync(100); // the overdue tick fires: the loop runs again
    expect(seen).toEqual([{ startedAt: lastTick, endedAt: lastTick + 2100, durationMs: 2100 }]);

    await vi.advanceTimersByTimeAsync(1000);
    freeze(8000);
    await vi.advanceTimersByTimeAsync(100);
    const f = d.figures();
    expect(f.count).toBe(2);
    expect(f.totalMs).toBe(2100 + 8100);
    expect(f.longestMs).toBe(8100);
    expect(f.last).toEqual(seen[1]);
    expect(d.recentStallMs(3000)).toBe(8100);
    expect(d.recentStallMs(3000, Date.now() + 4000)).toBe(0);
    d.stop();
  });

  it("says whether an interval overlaps a recorded stall", async () => {
    const { d } = started();
    await vi.advanceTimersByTimeAsync(1000);
    const before = Date.now();
    freeze(3000);
    await vi.advanceTimersByTimeAsync(100);
    const after = Date.now();
    await nextLoopTurn(); // the loop polled I/O once since: the stall is settled
    await vi.advanceTimersByTimeAsync(1000);

    expect(d.spansStall(before - 500, before + 10)).toBe(true); // in flight when it began
    expect(d.spansStall(before + 1000, after + 200)).toBe(true); // began during it
    expect(d.spansStall(before - 2000, before - 1000)).toBe(false); // ended before it
    expect(d.spansStall(after + 100, after + 900)).toBe(false); // began after the loop was back
    d.stop();
  });

  it("counts a request started after the stall but before the loop's next I/O poll as spanning it", async () => {
    const { d } = started();
    await vi.advanceTimersByTimeAsync(1000);
    freeze(3000);
    vi.advanceTimersByTime(100); // the timers due at resume run first (in one go): one records the stall…
    const startedAtResume = Date.now(); // …another starts a probe, which may meet a connection that died meanwhile
    expect(d.spansStall(startedAtResume, startedAtResume + 5)).toBe(true);
    await nextLoopTurn();
    vi.setSystemTime(Date.now() + 1);
    expect(d.spansStall(Date.now(), Date.now() + 50)).toBe(false);
    d.stop();
  });

  it("knows of a stall its timer has not seen yet: a probe's answer can run before the overdue tick", async () => {
    const { d, seen } = started();
    await vi.advanceTimersByTimeAsync(1000);
    const probeStarted = Date.now() - 20;
    const lastTick = Date.now();
    freeze(1500); // SIGSTOP … SIGCONT; no timer has run yet, the probe's I/O callback runs first
    expect(d.spansStall(probeStarted, Date.now())).toBe(true);
    // Recorded at once, from the last tick to now, and the overdue tick does not count it twice.
    expect(seen).toEqual([{ startedAt: lastTick, endedAt: lastTick + 1500, durationMs: 1500 }]);
    await vi.advanceTimersByTimeAsync(100);
    expect(d.figures().count).toBe(1);
    d.stop();
  });

  it("never blames a stopped detector's silence, and counts discarded results by worker", async () => {
    const d = new StallDetector({ thresholdMs: 500 });
    freeze(10_000);
    expect(d.spansStall(Date.now() - 10_000, Date.now())).toBe(false);
    d.noteDiscarded("poller");
    d.noteDiscarded("poller");
    d.noteDiscarded("tenant-prober");
    expect(d.figures().discarded).toEqual({ poller: 2, "tenant-prober": 1 });
    expect(d.health().state).toBe("stopped");
  });

  it("keeps the event loop's delay p99 from perf_hooks", async () => {
    vi.useRealTimers();
    const d = new StallDetector({ thresholdMs: 500, intervalMs: 20 });
    d.start();
    await new Promise((r) => setTimeout(r, 150));
    const p99 = d.figures().delayP99Ms;
    expect(p99).not.toBeNull();
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThan(500);
    d.stop();
  });
});
