// Pure: where two route tables (tenant slug → region id) differ. No server code, so tests and
// the service share it.

export interface RouteDifference {
  tenant: string;
  /** null: the console has no such tenant. */
  consoleRegion: string | null;
  /** null: the router has no route for it. */
  routerRegion: string | null;
}

/** Every tenant whose route differs, including tenants on one side only, sorted by tenant. Slugs compare case-insensitively (HAProxy lower-cases them). */
export function diffRoutes(consoleTable: Record<string, string>, routerTable: Record<string, string>): RouteDifference[] {
  const lower = (t: Record<string, string>) => new Map(Object.entries(t).map(([k, v]) => [k.toLowerCase(), v]));
  const c = lower(consoleTable);
  const r = lower(routerTable);
  const out: RouteDifference[] = [];
  for (const tenant of new Set([...c.keys(), ...r.keys()])) {
    const consoleRegion = c.get(tenant) ?? null;
    const routerRegion = r.get(tenant) ?? null;
    if (consoleRegion !== routerRegion) out.push({ tenant, consoleRegion, routerRegion });
  }
  return out.sort((a, b) => a.tenant.localeCompare(b.tenant));
}

/** Two sets of differences are the same drift (order aside). */
export function sameDrift(a: readonly RouteDifference[], b: readonly RouteDifference[]): boolean {
  if (a.length !== b.length) return false;
  const key = (d: RouteDifference) => `${d.tenant}\u0000${d.consoleRegion ?? ""}\u0000${d.routerRegion ?? ""}`;
  const keys = new Set(a.map(key));
  return b.every((d) => keys.has(key(d)));
}

/** "no route" for a missing side, the region's name otherwise. */
export function describeRoute(regionId: string | null, name: (id: string) => string = (id) => id): string {
  return regionId === null ? "no route" : name(regionId);
}
