// View types of route drift: what the API returns and the browser renders (no server code here).

/** One tenant whose route differs between the console's database and the router. */
export interface RouteDriftRow {
  /** The tenant's slug, as the router knows it. */
  tenant: string;
  /** The console's tenant id and name; null when the console has no such tenant (only in the router). */
  tenantId: string | null;
  tenantName: string | null;
  /** Region the console says serves the tenant; null when the console has no such tenant. */
  consoleRegionId: string | null;
  /** Region the router sends the tenant to; null when the router has no route for it (its default backend answers). */
  routerRegionId: string | null;
  detectedAt: string;
}

/** The open drift: empty rows when the router and the console agree. */
export interface RouteDriftView {
  rows: RouteDriftRow[];
  /** When the open drift was found (the console's start); null when none is open. */
  detectedAt: string | null;
}

export type DriftResolution = "keep_router" | "push_console";

export interface ResolveDriftResult {
  resolution: DriftResolution;
  /** Tenants whose route the console's database took from the router (keep_router). */
  adopted: { tenant: string; from: string | null; to: string }[];
  /** Tenants the router had no route for, given the console's (keep_router), or every drifted tenant (push_console). */
  pushed: { tenant: string; from: string | null; to: string | null }[];
  /** Tenants only the router knows: left as they are (keep_router) — said here so nobody thinks they were handled. */
  leftAlone: { tenant: string; routerRegionId: string }[];
  /** What happened, in words. */
  message: string;
}
