// T7: a residency-locked tenant may be served only from its allowed regions.

export interface ResidencySubject {
  name: string;
  allowedRegions: string[];
}

export type ResidencyVerdict = { allowed: true } | { allowed: false; reason: string };

export function isResidencyLocked(t: { allowedRegions: string[] }): boolean {
  return t.allowedRegions.length > 0;
}

export function checkResidency(tenant: ResidencySubject, targetRegionId: string, regionName: (id: string) => string = (id) => id): ResidencyVerdict {
  if (!isResidencyLocked(tenant) || tenant.allowedRegions.includes(targetRegionId)) return { allowed: true };
  const allowed = tenant.allowedRegions.map(regionName).join(", ");
  return {
    allowed: false,
    reason: `Residency lock: ${tenant.name} may only be served from ${allowed}; ${regionName(targetRegionId)} is outside its allowed regions.`,
  };
}
