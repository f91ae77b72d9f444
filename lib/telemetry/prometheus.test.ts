import { describe, expect, it } from "vitest";
import { renderMetrics } from "./prometheus";
import { SimFederation } from "@/lib/federation/sim/sim-federation";

describe("Prometheus exposition", () => {
  it("renders valid text with every region, component and figure", async () => {
    let now = 1_800_000_000_000;
    const sim = new SimFederation({
      regions: [
        { id: "kl_dc_1", name: "KL DC" },
        { id: "cyberjaya_1", name: "Cyberjaya" },
      ],
      seed: 1,
      now: () => now,
      spikeRate: 0,
    });
    await sim.setRegionDown("cyberjaya_1", true);
    now += 2000;
    const regions = await sim.readHealth();
    const { contentType, body } = await renderMetrics({
      regions,
      alerts: [{ id: "1", kind: "region_down", regionId: "cyberjaya_1", startedAt: "", endedAt: null, message: "", peak: null }],
      violationsPrevented: 3,
      now: now + 1500,
    });
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('federation_region_status{region="kl_dc_1",status="degraded"} 1');
    expect(body).toContain('federation_region_status{region="cyberjaya_1",status="down"} 1');
    expect(body).toContain('federation_region_status{region="cyberjaya_1",status="healthy"} 0');
    expect(body).toContain('federation_component_up{region="cyberjaya_1",component="router"} 0');
    expect(body).toMatch(/federation_replication_lag_seconds\{region="kl_dc_1"\} \d+(\.\d+)?/);
    expect(body).toContain('federation_sample_age_seconds{region="kl_dc_1"} 1.5');
    expect(body).toContain('federation_alerts_open{kind="region_down"} 1');
    expect(body).toContain("federation_residency_violations_prevented 3");
    expect(body).toMatch(/federation_component_figure\{region="kl_dc_1",component="inference",figure="gpu_util_pct",unit="%"\} [\d.]+/);
    // Every sample line is "name{labels} value".
    for (const line of body.split("\n").filter((l) => l && !l.startsWith("#"))) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[\d.e+-]+$/);
  });

  it("renders the console's own stalls and the probe results they discarded", async () => {
    const { body } = await renderMetrics({
      regions: [],
      alerts: [],
      violationsPrevented: 0,
      stalls: {
        thresholdMs: 500,
        count: 3,
        totalMs: 9750,
        longestMs: 8200,
        last: { startedAt: 1_800_000_000_000, endedAt: 1_800_000_008_200, durationMs: 8200 },
        delayP99Ms: 21.5,
        discarded: { poller: 14, "tenant-prober": 2 },
      },
      now: 1_800_000_010_000,
    });
    expect(body).toContain("# TYPE federation_console_event_loop_stalls_total counter");
    expect(body).toContain("federation_console_event_loop_stalls_total 3");
    expect(body).toContain("federation_console_event_loop_stalled_seconds_total 9.75");
    expect(body).toContain("federation_console_event_loop_longest_stall_seconds 8.2");
    expect(body).toContain("federation_console_event_loop_last_stall_timestamp_seconds 1800000000");
    expect(body).toContain('federation_console_event_loop_delay_seconds{quantile="0.99"} 0.0215');
    expect(body).toContain('federation_console_probe_results_discarded_total{worker="poller"} 14');
    expect(body).toContain('federation_console_probe_results_discarded_total{worker="tenant-prober"} 2');
  });
});
