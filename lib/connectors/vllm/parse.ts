// Pure parser: vLLM's Prometheus /metrics → the figures the console shows.
import { histogramQuantile, parsePrometheusText, select, sumOf } from "../prometheus/parse";
import type { VllmMetrics } from "./types";

export function parseVllmMetrics(text: string): VllmMetrics {
  const exp = parsePrometheusText(text);
  const kv = sumOf(exp, "vllm:kv_cache_usage_perc") ?? sumOf(exp, "vllm:gpu_cache_usage_perc");
  return {
    model: select(exp, "vllm:num_requests_running")[0]?.labels.model_name ?? null,
    running: sumOf(exp, "vllm:num_requests_running"),
    waiting: sumOf(exp, "vllm:num_requests_waiting"),
    kvCacheUsage: kv,
    ttftP95Seconds: histogramQuantile(exp, "vllm:time_to_first_token_seconds", 0.95),
    ttftCount: sumOf(exp, "vllm:time_to_first_token_seconds_count"),
    generationTokensTotal: sumOf(exp, "vllm:generation_tokens_total"),
    promptTokensTotal: sumOf(exp, "vllm:prompt_tokens_total"),
  };
}

/** Tokens/s between two scrapes of the generation counter (null across a restart / reset). */
export function tokensPerSecond(prev: { total: number; at: number } | null, cur: { total: number; at: number }): number | null {
  if (!prev || cur.at <= prev.at || cur.total < prev.total) return null;
  return (cur.total - prev.total) / ((cur.at - prev.at) / 1000);
}
