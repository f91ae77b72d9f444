// Every figure key a component may report, in every federation mode: the names the overview,
// the panels, the history and the metrics read. A typo is a type error, not an empty chart.

export const FIGURE_KEYS = [
  // router (HAProxy)
  "requests_per_sec",
  "tenants_routed",
  "sessions",
  "marked_down",
  // galera / mariadb
  "cross_region_lag_ms",
  "cross_region_lag_peak_ms",
  "nodes_up",
  "cluster_size",
  "flow_control_paused_pct",
  "recv_queue",
  "seconds_behind_master",
  "read_only",
  // postgres
  "streaming_replicas",
  "replica_lag_bytes",
  "replay_lag_ms",
  "replay_lag_peak_ms",
  "replay_lag_bytes",
  "connections",
  // object store
  "canary_lag_ms",
  "canary_lag_peak_ms",
  "backlog",
  // inference / GPUs
  "gpu_util_pct",
  "running",
  "waiting",
  "kv_cache_pct",
  "ttft_p95_ms",
  "tokens_per_sec",
] as const;

/** Per-GPU figures: gpu0_util_pct, gpu1_mem_pct, … */
export type GpuFigureKey = `gpu${string}_util_pct` | `gpu${string}_mem_pct` | `gpu${string}_fb_used_mib`;
export type FigureKey = (typeof FIGURE_KEYS)[number] | GpuFigureKey;

/** Series that are not a component's figure: the region's status, a tenant's probe latency. */
export type DerivedSeriesKey = "status" | "latency_ms";
