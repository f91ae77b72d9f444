export interface VllmMetrics {
  model: string | null;
  running: number | null;
  waiting: number | null;
  /** 0–1; vLLM ≥0.10 names it kv_cache_usage_perc, older gpu_cache_usage_perc */
  kvCacheUsage: number | null;
  ttftP95Seconds: number | null;
  ttftCount: number | null;
  generationTokensTotal: number | null;
  promptTokensTotal: number | null;
}
