import { describe, expect, it } from "vitest";
import { formatAge, formatBytes, formatDuration, formatFigure, isStale, STALE_AFTER_MS } from "./format";

describe("formatting with units", () => {
  it("shows durations in ms below a second and seconds above", () => {
    expect(formatDuration(84)).toBe("84 ms");
    expect(formatDuration(1234)).toBe("1.23 s");
    expect(formatDuration(12_345)).toBe("12.3 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
  });
  it("shows bytes in binary units", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(8 * 1024 * 1024)).toBe("8.0 MiB");
  });
  it("always appends the unit, and a dash for unmeasured values", () => {
    expect(formatFigure(72.34, "%")).toBe("72.3 %");
    expect(formatFigure(140.2, "req/s")).toBe("140 req/s");
    expect(formatFigure(null, "%")).toBe("—");
    expect(formatFigure(950, "ms")).toBe("950 ms");
  });
  it("words ages", () => {
    expect(formatAge(400)).toBe("0.4 s ago");
    expect(formatAge(12_000)).toBe("12 s ago");
    expect(formatAge(180_000)).toBe("3 min ago");
  });
});

describe("staleness rule", () => {
  it("is live up to the threshold and stale after it", () => {
    expect(isStale(1000, 1000 + STALE_AFTER_MS)).toBe(false);
    expect(isStale(1000, 1001 + STALE_AFTER_MS)).toBe(true);
  });
});
