import type { ComponentKind } from "@/lib/federation/types";
import { seriesName, type Panel } from "./series";
import type { DerivedSeriesKey, FigureKey } from "@/lib/federation/figures";
import { LAG_SLO_LABEL, LAG_SLO_MS } from "@/lib/slo";

// What each panel charts: one definition, read by the history API and the browser.

export interface ChartDef {
  id: string;
  title: string;
  unit: string;
  /** Figures of one component, per region; each region's value is one line. */
  component: ComponentKind | "region";
  keys: { key: FigureKey | DerivedSeriesKey; label: string }[];
  /** A horizontal line people compare against (the 1 s lag SLO). */
  slo?: { value: number; label: string };
  step?: boolean;
}

const GPUS = [0, 1, 2, 3];

export const PANEL_CHARTS: Record<Exclude<Panel, "tenants">, ChartDef[]> = {
  health: [
    {
      id: "status",
      title: "Region status (0 healthy · 1 degraded · 2 unknown · 3 down)",
      unit: "",
      component: "region",
      keys: [{ key: "status", label: "status" }],
      step: true,
    },
    { id: "rps", title: "Requests through the router", unit: "req/s", component: "router", keys: [{ key: "requests_per_sec", label: "requests" }] },
  ],
  replication: [
    {
      id: "mariadb-lag",
      title: "Cross-region MariaDB lag into the region (per heartbeat, worst of each second)",
      unit: "ms",
      component: "galera",
      keys: [{ key: "cross_region_lag_peak_ms", label: "worst lag per sample" }],
      slo: { value: LAG_SLO_MS, label: LAG_SLO_LABEL },
    },
    { id: "galera-fc", title: "Galera flow control paused", unit: "%", component: "galera", keys: [{ key: "flow_control_paused_pct", label: "paused" }] },
    { id: "galera-recv", title: "Galera receive queue", unit: "writesets", component: "galera", keys: [{ key: "recv_queue", label: "queue" }] },
    {
      id: "pg-lag-ms",
      title: "PostgreSQL replica replay lag (per heartbeat, worst of each second)",
      unit: "ms",
      component: "postgres",
      keys: [{ key: "replay_lag_peak_ms", label: "worst replay lag per sample" }],
      slo: { value: LAG_SLO_MS, label: LAG_SLO_LABEL },
    },
    {
      id: "pg-lag-bytes",
      title: "PostgreSQL replica behind (LSN)",
      unit: "bytes",
      component: "postgres",
      keys: [{ key: "replay_lag_bytes", label: "WAL behind" }],
    },
    {
      id: "s3-lag",
      title: "Object replication canary lag (worst of each second)",
      unit: "ms",
      component: "object_store",
      keys: [{ key: "canary_lag_peak_ms", label: "worst canary lag per sample" }],
    },
    { id: "s3-backlog", title: "Object replication backlog", unit: "objects", component: "object_store", keys: [{ key: "backlog", label: "backlog" }] },
  ],
  inference: [
    {
      id: "gpu-util",
      title: "GPU utilisation per GPU",
      unit: "%",
      component: "inference",
      keys: GPUS.map((i) => ({ key: `gpu${i}_util_pct`, label: `GPU ${i}` })),
    },
    {
      id: "gpu-mem",
      title: "GPU memory used per GPU",
      unit: "%",
      component: "inference",
      keys: GPUS.map((i) => ({ key: `gpu${i}_mem_pct`, label: `GPU ${i}` })),
    },
    {
      id: "requests",
      title: "vLLM requests",
      unit: "req",
      component: "inference",
      keys: [
        { key: "running", label: "running" },
        { key: "waiting", label: "waiting" },
      ],
    },
    { id: "kv", title: "KV-cache use", unit: "%", component: "inference", keys: [{ key: "kv_cache_pct", label: "KV-cache" }] },
    { id: "tokens", title: "Generation throughput", unit: "tok/s", component: "inference", keys: [{ key: "tokens_per_sec", label: "tokens/s" }] },
    { id: "ttft", title: "Time to first token p95", unit: "ms", component: "inference", keys: [{ key: "ttft_p95_ms", label: "TTFT p95" }] },
  ],
};

export function chartSeries(chart: ChartDef, regionId: string): string[] {
  return chart.keys.map((k) => seriesName(regionId, chart.component, k.key));
}

export function panelSeries(panel: Exclude<Panel, "tenants">, regionIds: string[]): string[] {
  return PANEL_CHARTS[panel].flatMap((c) => regionIds.flatMap((r) => chartSeries(c, r)));
}
