import "server-only";
import type { PrismaClient, Tx } from "@/lib/db/types";
import type { ServiceContext, Services } from "@/lib/context";
import { AppError, conflict, withAuditContext } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/service";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { FederationError, type RouteTable } from "@/lib/federation/types";
import { routeTable } from "@/lib/tenants/service";
import { checkResidency } from "@/lib/tenants/residency";
import { diffRoutes, sameDrift, type RouteDifference } from "./diff";
import type { ResolveDriftInput } from "./schemas";
import type { ResolveDriftResult, RouteDriftView } from "./types";

export type { RouteDriftRow, RouteDriftView, ResolveDriftResult } from "./types";

// Route drift (issue 10): the console never overwrites the router's table silently. At start it
// compares its table (tenants' serving regions) with the router's. Equal: nothing to do. The
// router empty (a fresh router, the simulation): the console's table is pushed, as before.
// Otherwise the difference is recorded per tenant (route_drift), audited, shown on the overview,
// and the drifted tenants cannot be moved or switched until an admin resolves it.

export type StartOutcome = { outcome: "equal" | "pushed" | "drift"; drift: RouteDifference[] };

const rowsOf = (diff: RouteDifference[], at: Date) =>
  diff.map((d) => ({ tenant: d.tenant, consoleRegion: d.consoleRegion, routerRegion: d.routerRegion, detectedAt: at }));

const asDifferences = (rows: { tenant: string; consoleRegion: string | null; routerRegion: string | null }[]): RouteDifference[] =>
  rows.map((r) => ({ tenant: r.tenant, consoleRegion: r.consoleRegion, routerRegion: r.routerRegion }));

/** tenant → region (null: no route) on one side, for audit entries. */
const side = (diff: RouteDifference[], which: "consoleRegion" | "routerRegion") => Object.fromEntries(diff.map((d) => [d.tenant, d[which]]));

async function openDrift(db: PrismaClient | Tx) {
  return db.routeDrift.findMany({ orderBy: { tenant: "asc" } });
}

/**
 * At start (server/runtime.ts), before any worker runs: compare the router's table with the
 * console's and push, record drift, or do nothing. Never overwrites a router that holds routes.
 */
export async function reconcileRoutesAtStart(services: Pick<Services, "db" | "federation" | "bus">): Promise<StartOutcome> {
  const { db, federation } = services;
  const consoleTable = await routeTable(db);
  const routerTable = await federation.readRoutes();
  const open = asDifferences(await openDrift(db));

  if (Object.keys(routerTable).length === 0) {
    // A fresh router (or one that lost its state): nothing of anyone else's to overwrite.
    await federation.syncRoutes(consoleTable);
    if (open.length) await clearStaleDrift(services, open, "the router was empty at start; the console's table was pushed into it");
    return { outcome: "pushed", drift: [] };
  }
  const diff = diffRoutes(consoleTable, routerTable);
  if (diff.length === 0) {
    if (open.length) await clearStaleDrift(services, open, "the router's table and the console's agree at start");
    return { outcome: "equal", drift: [] };
  }
  if (sameDrift(open, diff)) {
    // The same drift as at the last start: still open since then, already audited.
    console.warn(`[routes] drift still open: ${diff.length} tenant(s) differ between the router and the console; the router was not changed`);
    return { outcome: "drift", drift: diff };
  }
  const at = new Date();
  await db.$transaction(async (tx) => {
    await tx.routeDrift.deleteMany();
    await tx.routeDrift.createMany({ data: rowsOf(diff, at) });
    await recordAudit(tx, {
      actor: SYSTEM_ACTOR,
      action: "routes.drift_detected",
      outcome: "succeeded",
      targetType: "routes",
      targetId: "router",
      before: { console: side(diff, "consoleRegion") },
      after: { router: side(diff, "routerRegion") },
      reason: `At start the router's table differed from the console's for ${diff.length} tenant(s); the router was not changed. An admin resolves it (keep the router's table or push the console's).`,
    });
  });
  console.warn(`[routes] drift: ${diff.length} tenant(s) differ between the router and the console; the router was not changed (see the overview)`);
  services.bus.emit("routes:drift", { count: diff.length, resolution: null, by: SYSTEM_ACTOR.email, at: at.getTime() });
  return { outcome: "drift", drift: diff };
}

/** A drift recorded earlier that no longer holds: cleared, and the clearing audited. */
async function clearStaleDrift(services: Pick<Services, "db" | "bus">, open: RouteDifference[], why: string): Promise<void> {
  await services.db.$transaction(async (tx) => {
    await tx.routeDrift.deleteMany();
    await recordAudit(tx, {
      actor: SYSTEM_ACTOR,
      action: "routes.drift_cleared",
      outcome: "succeeded",
      targetType: "routes",
      targetId: "router",
      before: { console: side(open, "consoleRegion"), router: side(open, "routerRegion") },
      after: { drift: 0 },
      reason: `The drift recorded earlier no longer holds: ${why}.`,
    });
  });
  services.bus.emit("routes:drift", { count: 0, resolution: null, by: SYSTEM_ACTOR.email, at: Date.now() });
}

/** The open drift with the console's tenant names. */
export async function listRouteDrift(ctx: Pick<ServiceContext, "db">): Promise<RouteDriftView> {
  const rows = await openDrift(ctx.db);
  const tenants = await ctx.db.tenant.findMany({ where: { slug: { in: rows.map((r) => r.tenant) } }, select: { id: true, slug: true, name: true } });
  return {
    detectedAt: rows.length ? new Date(Math.min(...rows.map((r) => r.detectedAt.getTime()))).toISOString() : null,
    rows: rows.map((r) => {
      const t = tenants.find((x) => x.slug === r.tenant);
      return {
        tenant: r.tenant,
        tenantId: t?.id ?? null,
        tenantName: t?.name ?? null,
        consoleRegionId: r.consoleRegion,
        routerRegionId: r.routerRegion,
        detectedAt: r.detectedAt.toISOString(),
      };
    }),
  };
}

function federationRefused(e: FederationError, what: string, audit: NonNullable<AppError["audit"]>): AppError {
  return withAuditContext(
    new AppError(502, "federation_error", `The router did not answer or refused (${e.message}) while ${what}. Nothing was changed.`),
    audit,
  );
}

/**
 * An admin resolves the open drift. keep_router: the console's serving regions become the
 * router's for the drifted tenants it knows (residency checked); tenants the router has no
 * route for get the console's (nothing of the router's is overwritten); tenants only the router
 * knows are left in the router and reported. push_console: the router's table becomes the
 * console's, as a start used to do. Both audited with before/after and clear the drift. The
 * drift is re-checked against the router first: if the router changed since, the new drift is
 * recorded and the admin decides again (409).
 */
export async function resolveRouteDrift(ctx: ServiceContext, input: ResolveDriftInput): Promise<ResolveDriftResult> {
  const { db, federation, actor } = ctx;
  const open = asDifferences(await openDrift(db));
  if (open.length === 0) throw conflict("conflict", "No route drift is open: the router and the console agreed at the last check. Nothing was changed.");
  const seen = { before: { console: side(open, "consoleRegion"), router: side(open, "routerRegion") } };
  let routerTable: RouteTable;
  try {
    routerTable = await federation.readRoutes();
  } catch (e) {
    if (e instanceof FederationError) throw federationRefused(e, "reading its table", seen);
    throw e;
  }
  const consoleTable = await routeTable(db);
  const now = diffRoutes(consoleTable, routerTable);
  if (!sameDrift(open, now)) {
    const at = new Date();
    await db.$transaction(async (tx) => {
      await tx.routeDrift.deleteMany();
      if (now.length) await tx.routeDrift.createMany({ data: rowsOf(now, at) });
    });
    ctx.bus.emit("routes:drift", { count: now.length, resolution: null, by: actor.email, at: at.getTime() });
    throw withAuditContext(
      conflict(
        "conflict",
        now.length === 0
          ? "The router's table changed since the drift was found and now agrees with the console's: nothing left to resolve. Nothing was changed."
          : `The router's table changed since the drift was found: now ${now.length} tenant(s) differ. Review the table again, then decide. Nothing was changed.`,
        { drift: now },
      ),
      { ...seen, after: { console: side(now, "consoleRegion"), router: side(now, "routerRegion") } },
    );
  }
  const regions = await db.region.findMany();
  const regionName = (id: string) => regions.find((r) => r.id === id)?.name ?? id;
  const result =
    input.resolution === "keep_router"
      ? await keepRouter(
          ctx,
          input,
          open,
          regionName,
          regions.map((r) => r.id),
          routerTable,
        )
      : await pushConsole(ctx, input, open, consoleTable, routerTable);
  ctx.bus.emit("routes:drift", { count: 0, resolution: input.resolution, by: actor.email, at: Date.now() });
  if (result.adopted.length) {
    const ids = await db.tenant.findMany({ where: { slug: { in: result.adopted.map((a) => a.tenant) } }, select: { id: true } });
    ctx.bus.emit("tenants:changed", { tenantIds: ids.map((t) => t.id), by: actor.email, at: Date.now() });
  }
  await ctx.refresh();
  return result;
}

async function keepRouter(
  ctx: ServiceContext,
  input: ResolveDriftInput,
  open: RouteDifference[],
  regionName: (id: string) => string,
  knownRegions: string[],
  routerTable: RouteTable,
): Promise<ResolveDriftResult> {
  const { db, federation, actor, requestId } = ctx;
  const tenants = await db.tenant.findMany({ where: { slug: { in: open.map((d) => d.tenant) } } });
  const tenantOf = (slug: string) => tenants.find((t) => t.slug === slug);
  const adopt = open.filter((d) => d.routerRegion !== null && tenantOf(d.tenant));
  const push = open.filter((d) => d.routerRegion === null && d.consoleRegion !== null && tenantOf(d.tenant));
  const leftAlone = open.filter((d) => !tenantOf(d.tenant) && d.routerRegion !== null);
  const seen = { before: { console: side(open, "consoleRegion"), router: side(open, "routerRegion") } };

  const unknownRegion = adopt.filter((d) => !knownRegions.includes(d.routerRegion!));
  if (unknownRegion.length)
    throw withAuditContext(
      conflict(
        "conflict",
        `The router sends ${unknownRegion.map((d) => `${d.tenant} to "${d.routerRegion}"`).join(", ")}, a region the console does not know; the console cannot keep that. Push the console's table instead. Nothing was changed.`,
      ),
      seen,
    );
  const forbidden = adopt.flatMap((d) => {
    const v = checkResidency(tenantOf(d.tenant)!, d.routerRegion!, regionName);
    return v.allowed ? [] : [v.reason];
  });
  if (forbidden.length)
    throw withAuditContext(
      conflict(
        "residency_violation",
        `Keeping the router's table would record tenants as served where their residency forbids: ${forbidden.join(" ")} Push the console's table instead. Nothing was changed.`,
      ),
      seen,
    );

  let routed = false;
  const after: Record<string, string> = {};
  try {
    await db.$transaction(async (tx) => {
      for (const d of adopt) {
        const t = tenantOf(d.tenant)!;
        const updated = await tx.tenant.update({
          where: { id: t.id },
          data: { servingRegionId: d.routerRegion!, version: { increment: 1 }, updatedBy: actor.email },
        });
        after[d.tenant] = updated.servingRegionId;
        await recordAudit(tx, {
          actor,
          action: "routes.resolve_drift",
          outcome: "succeeded",
          targetType: "tenant",
          targetId: t.id,
          before: { servingRegionId: t.servingRegionId, version: t.version },
          after: { servingRegionId: updated.servingRegionId, version: updated.version, resolution: "keep_router" },
          reason: input.reason,
          requestId,
        });
      }
      // The router has no route for these: giving them the console's overwrites nothing.
      for (const d of push) {
        routed = true;
        await federation.routeTenant(d.tenant, d.consoleRegion!);
      }
      await tx.routeDrift.deleteMany();
      await recordAudit(tx, {
        actor,
        action: "routes.resolve_drift",
        outcome: "succeeded",
        targetType: "routes",
        targetId: "router",
        before: seen.before,
        after: {
          resolution: "keep_router",
          console: { ...side(open, "consoleRegion"), ...after },
          router: { ...side(open, "routerRegion"), ...Object.fromEntries(push.map((d) => [d.tenant, d.consoleRegion])) },
          leftAlone: leftAlone.map((d) => d.tenant),
        },
        reason: input.reason,
        requestId,
      });
    });
  } catch (e) {
    if (routed) await federation.syncRoutes(routerTable).catch((err) => console.error(`[${requestId}] could not restore the router's table`, err));
    if (e instanceof FederationError) throw federationRefused(e, "adding the routes it lacked", seen);
    throw e;
  }
  const parts = [
    adopt.length ? `the console now has the router's route for ${adopt.length} tenant(s)` : null,
    push.length ? `${push.length} tenant(s) the router had no route for got the console's` : null,
    leftAlone.length
      ? `${leftAlone.length} tenant(s) only the router knows were left as they are (${leftAlone.map((d) => d.tenant).join(", ")}): the console cannot adopt a tenant it does not have, and the next start reports them again while the router still holds them`
      : null,
  ].filter(Boolean);
  return {
    resolution: "keep_router",
    adopted: adopt.map((d) => ({ tenant: d.tenant, from: d.consoleRegion, to: d.routerRegion! })),
    pushed: push.map((d) => ({ tenant: d.tenant, from: null, to: d.consoleRegion })),
    leftAlone: leftAlone.map((d) => ({ tenant: d.tenant, routerRegionId: d.routerRegion! })),
    message: `Kept the router's table: ${parts.join("; ")}.`,
  };
}

async function pushConsole(
  ctx: ServiceContext,
  input: ResolveDriftInput,
  open: RouteDifference[],
  consoleTable: RouteTable,
  routerTable: RouteTable,
): Promise<ResolveDriftResult> {
  const { db, federation, actor, requestId } = ctx;
  const seen = { before: { console: side(open, "consoleRegion"), router: side(open, "routerRegion") } };
  let synced = false;
  try {
    await db.$transaction(async (tx) => {
      synced = true;
      await federation.syncRoutes(consoleTable);
      await tx.routeDrift.deleteMany();
      await recordAudit(tx, {
        actor,
        action: "routes.resolve_drift",
        outcome: "succeeded",
        targetType: "routes",
        targetId: "router",
        before: seen.before,
        after: { resolution: "push_console", router: side(open, "consoleRegion") },
        reason: input.reason,
        requestId,
      });
    });
  } catch (e) {
    if (synced) await federation.syncRoutes(routerTable).catch((err) => console.error(`[${requestId}] could not restore the router's table`, err));
    if (e instanceof FederationError) throw federationRefused(e, "pushing the console's table", seen);
    throw e;
  }
  const removed = open.filter((d) => d.consoleRegion === null);
  return {
    resolution: "push_console",
    adopted: [],
    pushed: open.map((d) => ({ tenant: d.tenant, from: d.routerRegion, to: d.consoleRegion })),
    leftAlone: [],
    message: `Pushed the console's table into the router: ${open.length} tenant(s) now routed as the console says${removed.length ? `; ${removed.length} route(s) the console does not know were removed from the router (${removed.map((d) => d.tenant).join(", ")})` : ""}.`,
  };
}
