import { rollupRegion } from "./health";
import { COMPONENT_KINDS, COMPONENT_LABELS, type ComponentHealth, type ComponentKind, type ComponentProbe, type RegionHealth, type RegionRef } from "./types";
import type { FigureKey } from "./figures";

// Builds a region's health from the latest sample of each of its components. Components are
// measured independently (a slow one never holds up the others), so each keeps its own
// measuredAt; one that has not answered for a while is reported unknown, not as it last was.

/** The figure keys the region summary reads (every federation mode reports these). */
export const SUMMARY_FIGURES = {
  replicationLagMs: ["galera", "cross_region_lag_ms"],
  replicationLagPeakMs: ["galera", "cross_region_lag_peak_ms"],
  gpuUtilPct: ["inference", "gpu_util_pct"],
  requestsPerSec: ["router", "requests_per_sec"],
  tenantsServed: ["router", "tenants_routed"],
  markedDown: ["router", "marked_down"],
} as const satisfies Record<string, readonly [ComponentKind, FigureKey]>;

export const COMPONENT_STALE_AFTER_MS = 3000;

function figure(components: ComponentHealth[], [kind, key]: readonly [ComponentKind, FigureKey]): number | null {
  return components.find((c) => c.kind === kind)?.figures.find((f) => f.key === key)?.value ?? null;
}

export function assembleRegion(ref: RegionRef, latest: ComponentHealth[], now: number, staleAfterMs = COMPONENT_STALE_AFTER_MS): RegionHealth {
  const components = COMPONENT_KINDS.map((kind): ComponentHealth => {
    const c = latest.find((x) => x.kind === kind);
    if (!c) return { kind, name: COMPONENT_LABELS[kind], status: "unknown", reason: "not measured yet", figures: [], measuredAt: now };
    if (now - c.measuredAt <= staleAfterMs) return c;
    const age = Math.round((now - c.measuredAt) / 1000);
    return {
      ...c,
      status: "unknown",
      reason: `no answer for ${age} s (last seen ${c.status}${c.reason ? `: ${c.reason}` : ""})`,
      figures: [],
    };
  });
  const { status, reasons } = rollupRegion(components);
  return {
    regionId: ref.id,
    name: ref.name,
    status,
    reasons,
    components,
    figures: {
      replicationLagMs: figure(components, SUMMARY_FIGURES.replicationLagMs),
      replicationLagPeakMs: figure(components, SUMMARY_FIGURES.replicationLagPeakMs) ?? figure(components, SUMMARY_FIGURES.replicationLagMs),
      gpuUtilPct: figure(components, SUMMARY_FIGURES.gpuUtilPct),
      requestsPerSec: figure(components, SUMMARY_FIGURES.requestsPerSec),
      tenantsServed: figure(components, SUMMARY_FIGURES.tenantsServed) ?? 0,
    },
    markedDown: figure(components, SUMMARY_FIGURES.markedDown) === 1,
    measuredAt: Math.max(0, ...components.filter((c) => c.figures.length || c.status !== "unknown").map((c) => c.measuredAt)) || now,
  };
}

/** Runs every probe once and assembles each region. */
export async function sampleOnce(regions: readonly RegionRef[], probes: ComponentProbe[], now: () => number = Date.now): Promise<RegionHealth[]> {
  const results = await Promise.all(probes.map(async (p) => ({ regionId: p.regionId, health: await p.run() })));
  const at = now();
  return regions.map((r) =>
    assembleRegion(
      r,
      results.filter((x) => x.regionId === r.id).map((x) => x.health),
      at,
    ),
  );
}
