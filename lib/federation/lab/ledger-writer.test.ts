import { describe, expect, it } from "vitest";
import { unavailableWindows, type Attempt } from "./ledger-writer";

const ok = (sentAt: number, ackedAt: number): Attempt => ({ ok: true, w: { id: `id-${sentAt}`, region: "kl_dc_1", sentAt, ackedAt } });
const fail = (sentAt: number, at: number, status: number | null = 503): Attempt => ({
  ok: false,
  f: { sentAt, at, status, region: "kl_dc_1", error: "fenced" },
});

describe("unavailableWindows", () => {
  it("is empty when nothing failed", () => {
    expect(unavailableWindows([ok(0, 5), ok(6, 9)])).toEqual([]);
    expect(unavailableWindows([])).toEqual([]);
  });
  it("runs from the first failure sent to the next acknowledgement, in send order", () => {
    // concurrent writers: answers arrive out of order
    const w = unavailableWindows([ok(0, 5), fail(20, 21), ok(100, 104), fail(10, 11), fail(30, 31, null), ok(200, 203), fail(250, 252), ok(260, 270)]);
    expect(w).toEqual([
      { from: 10, to: 104, ms: 94, failures: 3, open: false },
      { from: 250, to: 270, ms: 20, failures: 1, open: false },
    ]);
  });
  it("a slow success sent before the failures does not close their window", () => {
    expect(unavailableWindows([ok(0, 500), fail(10, 11), ok(300, 310)])).toEqual([{ from: 10, to: 310, ms: 300, failures: 1, open: false }]);
  });
  it("marks a window still open at stop", () => {
    expect(unavailableWindows([ok(0, 1), fail(5, 6), fail(9, 40)])).toEqual([{ from: 5, to: 40, ms: 35, failures: 2, open: true }]);
  });
});
