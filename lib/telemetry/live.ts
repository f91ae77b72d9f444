import type { RegionHealth } from "@/lib/federation/types";
import type { SeriesPoint } from "@/lib/realtime/events";

// The live window: the latest health per region and a short series per region for sparklines.
export class LiveHealth {
  private latest = new Map<string, RegionHealth>();
  private series = new Map<string, SeriesPoint[]>();

  constructor(private readonly windowPoints = 300) {}

  update(regions: RegionHealth[]): void {
    for (const r of regions) {
      this.latest.set(r.regionId, r);
      const s = this.series.get(r.regionId) ?? [];
      s.push({ t: r.measuredAt, lagMs: r.figures.replicationLagMs, gpuPct: r.figures.gpuUtilPct, rps: r.figures.requestsPerSec });
      if (s.length > this.windowPoints) s.splice(0, s.length - this.windowPoints);
      this.series.set(r.regionId, s);
    }
  }

  region(id: string): RegionHealth | undefined {
    return this.latest.get(id);
  }

  regions(): RegionHealth[] {
    return [...this.latest.values()];
  }

  allSeries(): Record<string, SeriesPoint[]> {
    return Object.fromEntries([...this.series].map(([k, v]) => [k, [...v]]));
  }
}
