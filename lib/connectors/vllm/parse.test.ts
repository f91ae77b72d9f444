import { describe, expect, it } from "vitest";
import { fixture } from "../fixture";
import { parseVllmMetrics, tokensPerSecond } from "./parse";

describe("vLLM metrics", () => {
  it("reads a busy server", () => {
    const m = parseVllmMetrics(fixture("vllm", "metrics-busy.txt"));
    expect(m).toMatchObject({ model: "meditron-7b", running: 16, waiting: 14 });
    expect(m.kvCacheUsage).toBeCloseTo(0.044617, 6);
    expect(m.ttftCount).toBeGreaterThan(0);
    expect(m.ttftP95Seconds).toBeGreaterThan(0);
    expect(m.generationTokensTotal).toBeGreaterThan(0);
  });
  it("reads an idle server (no TTFT observations yet)", () => {
    const m = parseVllmMetrics(fixture("vllm", "metrics-idle.txt"));
    expect(m).toMatchObject({ running: 0, waiting: 0, kvCacheUsage: 0, ttftP95Seconds: null, generationTokensTotal: 0 });
  });
  it("falls back to the older gpu_cache_usage_perc name", () => {
    const m = parseVllmMetrics('vllm:gpu_cache_usage_perc{model_name="m"} 0.25\n');
    expect(m.kvCacheUsage).toBe(0.25);
    expect(m.running).toBeNull();
  });
  it("derives tokens/s from the counter and ignores resets", () => {
    expect(tokensPerSecond({ total: 100, at: 0 }, { total: 300, at: 2000 })).toBe(100);
    expect(tokensPerSecond({ total: 300, at: 0 }, { total: 10, at: 1000 })).toBeNull();
    expect(tokensPerSecond(null, { total: 10, at: 1000 })).toBeNull();
  });
});
