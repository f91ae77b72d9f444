import { describe, expect, it } from "vitest";
import { connectionView, lastKnownLabel, SILENT_AFTER_MS, stallNotice } from "./liveness";

describe("the connection indicator", () => {
  const t = 1_800_000_000_000;

  it("says Live while the server's heartbeat arrives, and No data for N s once it stops although the socket is connected", () => {
    expect(connectionView("live", t, t + 900)).toEqual({ kind: "live", label: "Live" });
    expect(connectionView("live", t, t + SILENT_AFTER_MS)).toEqual({ kind: "live", label: "Live" });
    expect(connectionView("live", t, t + 3001)).toEqual({ kind: "silent", silentForMs: 3001, label: "No data for 3 s" });
    expect(connectionView("live", t, t + 8999).label).toBe("No data for 8 s");
    // Data again: Live again.
    expect(connectionView("live", t + 9000, t + 9100).label).toBe("Live");
  });

  it("is Live just after connecting (nothing received yet) and says what the socket is doing otherwise", () => {
    expect(connectionView("live", null, t).kind).toBe("live");
    expect(connectionView("connecting", t, t + 60_000)).toEqual({ kind: "connecting", label: "Connecting…" });
    expect(connectionView("reconnecting", t, t + 60_000)).toEqual({ kind: "reconnecting", label: "Reconnecting…" });
    expect(connectionView("refused", null, t)).toEqual({ kind: "refused", label: "Not signed in" });
  });
});

describe("stale statuses", () => {
  it("never show a bare status word", () => {
    expect(lastKnownLabel("healthy", 12_000)).toBe("Last known: healthy, 12 s ago");
    expect(lastKnownLabel("up", 5400)).toBe("Last known: up, 5.4 s ago");
    expect(lastKnownLabel("12 ms via KL DC", 20_000)).toBe("Last known: 12 ms via KL DC, 20 s ago");
  });
});

describe("the console's stall notice", () => {
  const stall = { startedAt: Date.UTC(2027, 0, 4, 2, 2, 14), endedAt: Date.UTC(2027, 0, 4, 2, 2, 22, 200), durationMs: 8200 };

  it("says how long the console paused and when, for a minute after it ended", () => {
    expect(stallNotice(stall, stall.endedAt + 1000, "Asia/Kuala_Lumpur")).toBe(
      "The console itself paused for 8.2 s at 10:02:14; samples taken across the pause were discarded and re-taken.",
    );
    expect(stallNotice(stall, stall.endedAt + 60_000, "UTC")).toMatch(/^The console itself paused for 8\.2 s at 02:02:14;/);
    expect(stallNotice(stall, stall.endedAt + 60_001)).toBeNull();
  });

  it("says nothing without a stall or for a pause under 2 s, which no screen could have noticed (counted, not announced)", () => {
    expect(stallNotice(null, stall.endedAt)).toBeNull();
    expect(stallNotice({ ...stall, durationMs: 1999 }, stall.endedAt)).toBeNull();
    expect(stallNotice({ ...stall, durationMs: 2000 }, stall.endedAt)).not.toBeNull();
    expect(stallNotice({ ...stall, durationMs: 75_000 }, stall.endedAt, "UTC")).toMatch(/paused for 1 min 15 s at/);
  });
});
