// F2: what a failover does with each tenant the lost region served. Its failover region if that
// region is available and its residency lock allows it, else another available region the lock
// allows; none → "unavailable, data held in place" with the reason. A tenant whose `during
// failover` setting is read-only is served read-only. No I/O here.
import { checkResidency } from "@/lib/tenants/residency";
import type { PlanEntry } from "./types";

export interface PlanTenant {
  id: string;
  slug: string;
  name: string;
  servingRegionId: string;
  failoverRegionId: string;
  allowedRegions: string[];
  failoverAccess: "full" | "read_only";
}

export interface PlanInput {
  lostRegionId: string;
  tenants: PlanTenant[];
  /** Regions that can take tenants now (not lost, not failed over), in preference order. */
  available: string[];
  regionName: (id: string) => string;
  /** Predicted RPO into a target region, ms (null: unknown). */
  rpoInto: (regionId: string) => number | null;
}

export function planFailover(p: PlanInput): PlanEntry[] {
  const name = p.regionName;
  return p.tenants
    .filter((t) => t.servingRegionId === p.lostRegionId)
    .sort((a, b) => a.slug.localeCompare(b.slug))
    .map((t): PlanEntry => {
      const base = { tenantId: t.id, slug: t.slug, name: t.name };
      const candidates = [t.failoverRegionId, ...p.available.filter((r) => r !== t.failoverRegionId)].filter(
        (r) => r !== p.lostRegionId && p.available.includes(r),
      );
      const rejected: string[] = [];
      if (t.failoverRegionId !== p.lostRegionId && !p.available.includes(t.failoverRegionId))
        rejected.push(`its failover region ${name(t.failoverRegionId)} is not available`);
      for (const target of candidates) {
        const verdict = checkResidency(t, target, name);
        if (!verdict.allowed) {
          rejected.push(`${name(target)}: outside its residency lock`);
          continue;
        }
        const via = target === t.failoverRegionId ? "its failover region" : `the available region its lock allows (${rejected.join("; ")})`;
        if (t.failoverAccess === "read_only")
          return {
            ...base,
            action: "read_only",
            toRegionId: target,
            reason: `served read-only by ${name(target)}, ${via}: its "during failover" setting is read-only`,
            rpoMs: p.rpoInto(target),
          };
        return { ...base, action: "move", toRegionId: target, reason: `served by ${name(target)}, ${via}`, rpoMs: p.rpoInto(target) };
      }
      const lock = t.allowedRegions.length ? `residency lock allows only ${t.allowedRegions.map(name).join(", ")}` : "no other region is available";
      return {
        ...base,
        action: "held",
        toRegionId: null,
        reason: `unavailable, data held in place in ${name(p.lostRegionId)}: ${lock}${rejected.length ? ` (${rejected.join("; ")})` : ""}`,
        rpoMs: null,
      };
    });
}
