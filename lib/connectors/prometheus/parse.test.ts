import { describe, expect, it } from "vitest";
import { histogramQuantile, parsePrometheusText, select, sumOf } from "./parse";

describe("prometheus text", () => {
  it("parses labels with escapes, comments, special values and timestamps", () => {
    const e = parsePrometheusText(
      ["# HELP x A metric", "# TYPE x gauge", 'x{a="1",b="q\\"uote",c="line\\nbreak"} 3.5 1700000000000', "y +Inf", "z NaN", "w{} -2"].join("\n"),
    );
    expect(e.types).toEqual({ x: "gauge" });
    expect(e.samples[0]).toEqual({ name: "x", labels: { a: "1", b: 'q"uote', c: "line\nbreak" }, value: 3.5 });
    expect(e.samples[1].value).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(e.samples[2].value)).toBe(true);
    expect(sumOf(e, "w")).toBe(-2);
    expect(sumOf(e, "absent")).toBeNull();
    expect(select(e, "x", { a: "1" })).toHaveLength(1);
  });
  it("rejects a non-Prometheus body", () => {
    expect(() => parsePrometheusText("<html>oops</html>")).toThrow();
    expect(() => parsePrometheusText('x{a="1" 2')).toThrow();
  });
  it("computes histogram quantiles like histogram_quantile()", () => {
    const e = parsePrometheusText(['h_bucket{le="0.1"} 50', 'h_bucket{le="0.5"} 90', 'h_bucket{le="1"} 100', 'h_bucket{le="+Inf"} 100'].join("\n"));
    expect(histogramQuantile(e, "h", 0.5)).toBeCloseTo(0.1, 6);
    expect(histogramQuantile(e, "h", 0.95)).toBeCloseTo(0.75, 6);
    expect(histogramQuantile(parsePrometheusText('h_bucket{le="+Inf"} 0'), "h", 0.95)).toBeNull();
  });
});
