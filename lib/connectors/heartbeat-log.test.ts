import { describe, expect, it } from "vitest";
import { parseBeatRows } from "./heartbeat-log";

describe("heartbeat log rows", () => {
  it("gives the heartbeats oldest first and the replica's clock, numbers as text or numbers", () => {
    const r = parseBeatRows([
      { now_ms: "1795430000050.5", seq: "12", ts_ms: "1795430000025.25" },
      { now_ms: "1795430000050.5", seq: 11, ts_ms: 1795430000000 },
    ]);
    expect(r).toEqual({
      serverNow: 1795430000050.5,
      beats: [
        { seq: 11, ts: 1795430000000 },
        { seq: 12, ts: 1795430000025.25 },
      ],
    });
  });

  it("reads the clock alone when nothing new was applied (the LEFT JOIN's one row)", () => {
    expect(parseBeatRows([{ now_ms: 1795430000050, seq: null, ts_ms: null }])).toEqual({ serverNow: 1795430000050, beats: [] });
    expect(parseBeatRows([]).serverNow).toBeNull();
  });
});
