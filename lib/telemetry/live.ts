import type { RegionHealth } from "@/lib/federation/types";
import type { SeriesPoint } from "@/lib/realtime/events";
import { pointsFromHealth, type Point } from "./series";

// The live window in memory: the latest health per region, a short summary series per region
// (overview sparklines), and the last few minutes of every series (live panels, and what a
// reconnecting client missed).
export class LiveHealth {
  private latest = new Map<string, RegionHealth>();
  private summary = new Map<string, SeriesPoint[]>();
  private series = new Map<string, Point[]>();

  constructor(
    private readonly windowPoints = 300,
    readonly windowMs = 5 * 60_000,
  ) {}

  update(regions: RegionHealth[]): Point[] {
    for (const r of regions) {
      this.latest.set(r.regionId, r);
      const s = this.summary.get(r.regionId) ?? [];
      if (s.at(-1)?.t !== r.measuredAt) {
        s.push({ t: r.measuredAt, lagMs: r.figures.replicationLagPeakMs, gpuPct: r.figures.gpuUtilPct, rps: r.figures.requestsPerSec });
        if (s.length > this.windowPoints) s.splice(0, s.length - this.windowPoints);
      }
      this.summary.set(r.regionId, s);
    }
    return this.add(pointsFromHealth(regions));
  }

  /** Adds points (only those newer than the series' last), returns the ones added. */
  add(points: Point[]): Point[] {
    const added: Point[] = [];
    for (const p of points) {
      const s = this.series.get(p.series) ?? [];
      const last = s.at(-1);
      if (last && last.t >= p.t) continue;
      s.push(p);
      added.push(p);
      const cutoff = p.t - this.windowMs;
      let drop = 0;
      while (drop < s.length && s[drop].t < cutoff) drop++;
      if (drop) s.splice(0, drop);
      this.series.set(p.series, s);
    }
    return added;
  }

  region(id: string): RegionHealth | undefined {
    return this.latest.get(id);
  }

  regions(): RegionHealth[] {
    return [...this.latest.values()];
  }

  allSeries(): Record<string, SeriesPoint[]> {
    return Object.fromEntries([...this.summary].map(([k, v]) => [k, [...v]]));
  }

  /** Points of the matching series measured after `since` (epoch ms), oldest first. */
  pointsSince(match: (series: string) => boolean, since = 0): Point[] {
    const out: Point[] = [];
    for (const [name, pts] of this.series) if (match(name)) for (const p of pts) if (p.t > since) out.push(p);
    return out.sort((a, b) => a.t - b.t);
  }

  /** The oldest time the live window still covers. */
  oldest(): number {
    let min = Infinity;
    for (const pts of this.series.values()) if (pts.length) min = Math.min(min, pts[0].t);
    return min;
  }
}
