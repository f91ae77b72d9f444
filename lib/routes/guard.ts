import "server-only";
import type { PrismaClient } from "@/lib/db/types";
import { conflict, type AppError } from "@/lib/errors";
import { describeRoute } from "./diff";

// While a route drift is open, the console refuses to move or switch the drifted tenants: it
// never acts on a route table it does not agree with. Kept apart from service.ts so the tenants
// and moves services can use it without an import cycle.

export interface OpenDrift {
  tenant: string;
  consoleRegion: string | null;
  routerRegion: string | null;
  detectedAt: Date;
}

/** The open drift of one tenant (by slug), or null. */
export async function openDriftOf(db: Pick<PrismaClient, "routeDrift">, slug: string): Promise<OpenDrift | null> {
  return db.routeDrift.findUnique({ where: { tenant: slug.toLowerCase() } });
}

/** The 409 that names the drift. */
export function routeDriftError(tenantName: string, d: OpenDrift, regionName?: (id: string) => string): AppError {
  return conflict(
    "route_drift",
    `${tenantName}'s route is in drift: the console says ${describeRoute(d.consoleRegion, regionName)}, the router says ${describeRoute(d.routerRegion, regionName)} (found ${d.detectedAt.toISOString().replace("T", " ").slice(0, 19)} UTC). An admin must resolve the drift on the overview (keep the router's table or push the console's) before this tenant can be moved or switched. Nothing was changed.`,
    { drift: { tenant: d.tenant, consoleRegionId: d.consoleRegion, routerRegionId: d.routerRegion, detectedAt: d.detectedAt.toISOString() } },
  );
}

/** Throws the drift's 409 when the tenant's route is in drift. */
export async function assertNoRouteDrift(
  db: Pick<PrismaClient, "routeDrift">,
  tenant: { slug: string; name: string },
  regionName?: (id: string) => string,
): Promise<void> {
  const d = await openDriftOf(db, tenant.slug);
  if (d) throw routeDriftError(tenant.name, d, regionName);
}
