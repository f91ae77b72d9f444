import { describe, expect, it } from "vitest";
import { catchUpSample } from "./catch-up";

const p = (at: number, sourceSeq: number, appliedSeq: number) => ({
  at,
  sourceSeq,
  appliedSeq,
  backlog: sourceSeq - appliedSeq,
  sourcePosition: "",
  applied: "",
});

describe("catchUpSample", () => {
  it("apply rate against incoming rate, and the ETA at the difference", () => {
    expect(catchUpSample(p(0, 1000, 100), p(2000, 1100, 500))).toEqual({ at: 2000, backlog: 600, applyPerSec: 200, incomingPerSec: 50, etaSec: 4 });
  });
  it("no ETA while the backlog does not shrink; 0 once caught up; nothing from a first reading", () => {
    expect(catchUpSample(p(0, 1000, 100), p(1000, 1300, 200)).etaSec).toBeNull();
    expect(catchUpSample(p(0, 1000, 900), p(1000, 1000, 1000)).etaSec).toBe(0);
    expect(catchUpSample(null, p(1000, 10, 5))).toEqual({ at: 1000, backlog: 5, applyPerSec: null, incomingPerSec: null, etaSec: null });
  });
});
