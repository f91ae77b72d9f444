import type { RegionHealth } from "@/lib/federation/types";

export interface RpoNow {
  /** Seconds of the tenant's acknowledged writes the copy region may still lack; null if unknown. */
  seconds: number | null;
  copyRegionId: string | null;
  reason: string | null;
  measuredAt: number | null;
}

/**
 * A tenant writes only in the region serving it; its copy is in the other region of its pair
 * (failover region, or primary when it runs on its failover). What the copy lacks is the
 * cross-region heartbeat lag into the copy region.
 */
export function rpoNow(t: { servingRegionId: string; primaryRegionId: string; failoverRegionId: string }, regions: RegionHealth[]): RpoNow {
  const copy = t.servingRegionId === t.primaryRegionId ? t.failoverRegionId : t.primaryRegionId;
  if (copy === t.servingRegionId) return { seconds: null, copyRegionId: null, reason: "no second region", measuredAt: null };
  const h = regions.find((r) => r.regionId === copy);
  if (!h) return { seconds: null, copyRegionId: copy, reason: "no sample", measuredAt: null };
  if (h.status === "down") return { seconds: null, copyRegionId: copy, reason: "copy region down", measuredAt: h.measuredAt };
  const lag = h.figures.replicationLagMs;
  return lag === null
    ? { seconds: null, copyRegionId: copy, reason: "lag not measurable", measuredAt: h.measuredAt }
    : { seconds: lag / 1000, copyRegionId: copy, reason: null, measuredAt: h.measuredAt };
}
