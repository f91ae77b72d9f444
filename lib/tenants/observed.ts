// Where a tenant is served, as observed (F1, M4): the region whose app answered the tenant's last
// synthetic read and acknowledged its last write through the router — not the route the console
// set. When the two differ the router has sent the tenant elsewhere (its region's app failed the
// health checks and HAProxy used its backup server), and every screen says so at once, with why.
// Pure: the browser renders these views.
import type { RegionHealth, TenantProbe } from "@/lib/federation/types";

export interface ObservedServing {
  /** The region that answered (the write's, else the read's); null when nothing answered. */
  regionId: string | null;
  readBy: string | null;
  writeBy: string | null;
  /** The last probe succeeded (read answered, write acknowledged or held by a move's fence). */
  ok: boolean;
  error: string | null;
  writeNote: string | null;
  /** Epoch ms of the probe. */
  at: number;
  /** Served by a region other than the one it is routed to. */
  elsewhere: boolean;
  /** Served by a region outside the tenant's residency lock (the router's backup does not know the lock). */
  residencyBreach: boolean;
  /** Why, in words, when elsewhere or failing; null otherwise. */
  reason: string | null;
}

/** Reasons withTenantImpact adds (what tenants feel), as opposed to a component's own fault. */
const IMPACT_REASON = /^(requests fail for |residency: |\d+ tenants? routed here )/;

export function observeServing(
  routedTo: string,
  probe: TenantProbe | undefined,
  regions: readonly Pick<RegionHealth, "regionId" | "name" | "reasons" | "status">[],
  /** the tenant's residency lock (empty: unrestricted) */
  allowedRegions: readonly string[] = [],
): ObservedServing | null {
  if (!probe) return null;
  const name = (id: string | null) => (id ? (regions.find((r) => r.regionId === id)?.name ?? id) : "no region");
  const regionId = probe.writeBy ?? probe.servedBy;
  const elsewhere = regionId !== null && regionId !== routedTo;
  const residencyBreach = regionId !== null && allowedRegions.length > 0 && !allowedRegions.includes(regionId);
  let reason: string | null = null;
  if (elsewhere) {
    const routed = regions.find((r) => r.regionId === routedTo);
    // the region's own fault (a component), not what its tenants feel (added by withTenantImpact)
    const fault = routed?.reasons.find((r) => !IMPACT_REASON.test(r));
    const why = routed && routed.status !== "healthy" && fault ? `${routed.name}: ${fault}` : `the router used its backup server for ${name(routedTo)}`;
    reason = `routed to ${name(routedTo)}, answered by ${name(regionId)} — ${why}`;
  } else if (!probe.ok) reason = probe.error;
  if (residencyBreach) reason = `outside its residency lock (${allowedRegions.map(name).join(", ")} only): ${reason ?? `answered by ${name(regionId)}`}`;
  return {
    regionId,
    readBy: probe.servedBy,
    writeBy: probe.writeBy,
    ok: probe.ok,
    error: probe.error,
    writeNote: probe.writeNote,
    at: probe.measuredAt,
    elsewhere,
    residencyBreach,
    reason,
  };
}

/** The tenants whose last probe failed, per region: the region that answered, else the one they are routed to. */
export function failingByRegion(
  routes: Record<string, string>,
  probes: ReadonlyMap<string, TenantProbe>,
): Map<string, { failing: TenantProbe[]; probed: number }> {
  const out = new Map<string, { failing: TenantProbe[]; probed: number }>();
  for (const [tenant, routedTo] of Object.entries(routes)) {
    const p = probes.get(tenant);
    if (!p) continue;
    const region = p.writeBy ?? p.servedBy ?? routedTo;
    const e = out.get(region) ?? { failing: [], probed: 0 };
    e.probed++;
    if (!p.ok) e.failing.push(p);
    out.set(region, e);
  }
  return out;
}

const SEVERITY = { healthy: 0, degraded: 1, unknown: 2, down: 3 } as const;
const listed = (tenants: string[], max = 5) =>
  tenants.length > max ? `${tenants.slice(0, max).join(", ")} and ${tenants.length - max} more` : tenants.join(", ");

/**
 * A region's status as clinics feel it: tenants whose requests fail there raise it (some failing:
 * degraded; every tenant probed there failing: down) and are named, with the first error; tenants
 * routed to it but served elsewhere are named too. Components alone can look fine while clinics fail.
 */
export function withTenantImpact(
  region: RegionHealth,
  routes: Readonly<Record<string, string>>,
  probes: ReadonlyMap<string, TenantProbe>,
  regions: readonly RegionHealth[],
  /** residency locks: tenant → the only regions it may be served from */
  locks: Readonly<Record<string, string[]>> = {},
): RegionHealth {
  const mine = failingByRegion(routes, probes).get(region.regionId);
  const elsewhere = Object.entries(routes)
    .filter(([t, r]) => r === region.regionId && observeServing(r, probes.get(t), regions)?.elsewhere)
    .map(([t]) => t)
    .sort();
  const observed = [...probes.values()].filter((p) => (p.writeBy ?? p.servedBy) === region.regionId).length;
  const reasons = [...region.reasons];
  let status = region.status;
  if (mine && mine.failing.length > 0) {
    const names = mine.failing.map((p) => p.tenant).sort();
    const all = mine.failing.length === mine.probed;
    reasons.unshift(
      `${all ? "requests fail for every tenant served here" : "requests fail for some tenants served here"} (${mine.failing.length} of ${mine.probed}): ${listed(names)} — ${mine.failing[0].error ?? "no answer"}`,
    );
    const raised = all ? "down" : "degraded";
    if (SEVERITY[raised] > SEVERITY[status]) status = raised;
  }
  if (elsewhere.length > 0) {
    reasons.push(
      `${elsewhere.length} tenant${elsewhere.length === 1 ? "" : "s"} routed here ${elsewhere.length === 1 ? "is" : "are"} served by another region: ${listed(elsewhere)}`,
    );
    if (status === "healthy") status = "degraded";
  }
  // answered here although locked to other regions: the worst thing a router's backup can do
  const breaches = [...probes.values()]
    .filter((p) => (p.writeBy ?? p.servedBy) === region.regionId && locks[p.tenant]?.length && !locks[p.tenant].includes(region.regionId))
    .map((p) => p.tenant)
    .sort();
  if (breaches.length > 0) {
    const only = (t: string) => locks[t].map((id) => regions.find((r) => r.regionId === id)?.name ?? id).join(", ");
    reasons.unshift(
      `residency: ${breaches.map((t) => `${t} (${only(t)} only)`).join(", ")} answered here, outside ${breaches.length === 1 ? "its" : "their"} residency lock`,
    );
    if (status === "healthy") status = "degraded";
  }
  return { ...region, status, reasons, figures: { ...region.figures, tenantsObserved: observed, tenantsElsewhere: elsewhere, residencyBreaches: breaches } };
}
