import { Counter, Gauge, Registry } from "prom-client";
import type { RegionHealth } from "@/lib/federation/types";
import type { AlertView } from "./alerts";
import type { WorkerHealth } from "@/lib/runtime";
import type { StallFigures } from "./stall";

// M6: the console's figures in Prometheus text format, for an external Prometheus/Grafana.
// A fresh registry per scrape: values always mirror the live state, nothing lingers.

export interface MetricsInput {
  regions: RegionHealth[];
  alerts: AlertView[];
  violationsPrevented: number;
  /** The console's own workers (absent: not reported). */
  workers?: WorkerHealth[];
  /** The console's own event-loop stalls (absent: not reported). */
  stalls?: StallFigures;
  now: number;
}

const STATUSES = ["healthy", "degraded", "down", "unknown"] as const;

export async function renderMetrics(input: MetricsInput): Promise<{ contentType: string; body: string }> {
  const reg = new Registry();
  const g = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [reg] });

  const status = g("federation_region_status", "1 for the region's current status (healthy, degraded, down, unknown)", ["region", "status"]);
  const lag = g("federation_replication_lag_seconds", "Cross-region MariaDB replication lag into the region, by heartbeat", ["region"]);
  const gpu = g("federation_gpu_utilisation_ratio", "Mean GPU utilisation of the region, 0-1", ["region"]);
  const rps = g("federation_requests_per_second", "Requests per second through the region's router backend", ["region"]);
  const served = g("federation_tenants_served", "Tenants the router sends to the region", ["region"]);
  const age = g("federation_sample_age_seconds", "Age of the region's latest sample at scrape time", ["region"]);
  const compUp = g("federation_component_up", "1 up, 0.5 degraded, 0 down or unknown", ["region", "component"]);
  const fig = g("federation_component_figure", "Every figure a component reports, with its unit", ["region", "component", "figure", "unit"]);
  const alerts = g("federation_alerts_open", "Open alerts by kind", ["kind"]);
  g("federation_residency_violations_prevented", "Switches refused because they would break a residency lock").set(input.violationsPrevented);

  for (const r of input.regions) {
    for (const s of STATUSES) status.set({ region: r.regionId, status: s }, r.status === s ? 1 : 0);
    if (r.figures.replicationLagMs !== null) lag.set({ region: r.regionId }, r.figures.replicationLagMs / 1000);
    if (r.figures.gpuUtilPct !== null) gpu.set({ region: r.regionId }, r.figures.gpuUtilPct / 100);
    if (r.figures.requestsPerSec !== null) rps.set({ region: r.regionId }, r.figures.requestsPerSec);
    served.set({ region: r.regionId }, r.figures.tenantsServed);
    age.set({ region: r.regionId }, Math.max(0, (input.now - r.measuredAt) / 1000));
    for (const c of r.components) {
      compUp.set({ region: r.regionId, component: c.kind }, c.status === "up" ? 1 : c.status === "degraded" ? 0.5 : 0);
      for (const f of c.figures) if (f.value !== null) fig.set({ region: r.regionId, component: c.kind, figure: f.key, unit: f.unit || "count" }, f.value);
    }
  }
  if (input.workers) {
    const up = g("federation_console_worker_up", "1 while the console's worker runs (or stands by), 0 when failing or stopped", ["worker", "state"]);
    for (const w of input.workers) up.set({ worker: w.name, state: w.state }, w.state === "running" || w.state === "standby" ? 1 : 0);
  }
  if (input.stalls) {
    const s = input.stalls;
    const c = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [reg] });
    c("federation_console_event_loop_stalls_total", "Times the console's own event loop did not run for longer than the stall threshold").inc(s.count);
    c("federation_console_event_loop_stalled_seconds_total", "Time the console's own event loop spent stalled").inc(s.totalMs / 1000);
    g("federation_console_event_loop_longest_stall_seconds", "The console's longest event-loop stall since start").set(s.longestMs / 1000);
    g("federation_console_event_loop_stall_threshold_seconds", "A gap in the event loop longer than this is counted as a stall").set(s.thresholdMs / 1000);
    if (s.last) g("federation_console_event_loop_last_stall_timestamp_seconds", "When the console's last event-loop stall began").set(s.last.startedAt / 1000);
    if (s.delayP99Ms !== null)
      g("federation_console_event_loop_delay_seconds", "Event-loop delay over the last one to two minutes", ["quantile"]).set(
        { quantile: "0.99" },
        s.delayP99Ms / 1000,
      );
    const discarded = c("federation_console_probe_results_discarded_total", "Probe results discarded and re-taken because they spanned a console stall", [
      "worker",
    ]);
    for (const worker of new Set(["poller", "tenant-prober", ...Object.keys(s.discarded)])) discarded.inc({ worker }, s.discarded[worker] ?? 0);
  }
  for (const kind of ["region_down", "lag_slo", "served_elsewhere", "residency_breach"])
    alerts.set({ kind }, input.alerts.filter((a) => a.kind === kind).length);
  return { contentType: reg.contentType, body: await reg.metrics() };
}
