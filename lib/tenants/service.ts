import "server-only";
import { observeServing } from "./observed";
import type { PrismaClient, Tenant } from "@/lib/db/types";
import type { ServiceContext } from "@/lib/context";
import { AppError, badRequest, conflict, notFound, withAuditContext } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/service";
import { FederationError } from "@/lib/federation/types";
import { checkResidency, isResidencyLocked } from "./residency";
import { likeLiteral } from "@/lib/validation";
import { openDriftOf, routeDriftError } from "@/lib/routes/guard";
import type { SwitchRegionInput, TenantFilter } from "./schemas";
import type { TenantView } from "./types";

export type { TenantView } from "./types";

export function toTenantView(t: Tenant, observed: TenantView["observed"] = null): TenantView {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    state: t.state,
    primaryRegionId: t.primaryRegionId,
    failoverRegionId: t.failoverRegionId,
    servingRegionId: t.servingRegionId,
    allowedRegions: t.allowedRegions,
    residencyLocked: isResidencyLocked(t),
    failoverAccess: t.failoverAccess,
    version: t.version,
    updatedAt: t.updatedAt.toISOString(),
    updatedBy: t.updatedBy,
    observed,
  };
}

export async function listTenants(
  ctx: Pick<ServiceContext, "db"> & Partial<Pick<ServiceContext, "probes" | "live">>,
  f: TenantFilter = {},
): Promise<TenantView[]> {
  const rows = await ctx.db.tenant.findMany({
    where: {
      AND: [
        f.q
          ? {
              OR: [
                { name: { contains: likeLiteral(f.q), mode: "insensitive" } },
                { slug: { contains: likeLiteral(f.q), mode: "insensitive" } },
                { state: { contains: likeLiteral(f.q), mode: "insensitive" } },
              ],
            }
          : {},
        f.region ? { servingRegionId: f.region } : {},
        // Prisma compares case-insensitively with ILIKE and does not escape: likeLiteral does.
        f.state ? { state: { equals: likeLiteral(f.state), mode: "insensitive" } } : {},
        f.residency === "locked" ? { NOT: { allowedRegions: { isEmpty: true } } } : {},
        f.residency === "unrestricted" ? { allowedRegions: { isEmpty: true } } : {},
      ],
    },
    orderBy: [{ state: "asc" }, { name: "asc" }],
  });
  const regions = ctx.live?.regions() ?? [];
  return rows.map((t) => toTenantView(t, observeServing(t.servingRegionId, ctx.probes?.get(t.slug), regions, t.allowedRegions)));
}

export async function getTenantOrThrow(db: PrismaClient, id: string): Promise<Tenant> {
  const t = await db.tenant.findUnique({ where: { id } });
  if (!t) throw notFound(`No tenant with id "${id}".`);
  return t;
}

function staleVersion(t: Tenant, seen: number): AppError {
  const who = t.updatedBy ?? "another user";
  const when = t.updatedAt.toISOString().replace("T", " ").slice(0, 19) + " UTC";
  return conflict(
    "stale_version",
    `${t.name} was changed by ${who} at ${when} (now version ${t.version}; you saw version ${seen}). Reload to see the change, then decide again.`,
    { changedBy: who, changedAt: t.updatedAt.toISOString(), currentVersion: t.version, servingRegionId: t.servingRegionId },
  );
}

class StaleWrite extends Error {}

/**
 * Routes the tenant to the target region and records it: conditional update on the version,
 * router change, audit entry and chart annotation in one transaction. If the router refuses,
 * nothing commits; if the commit fails after the router changed, the route is put back.
 * Throws StaleWrite when the version moved on, FederationError when the router refused.
 */
async function applyRoute(
  ctx: ServiceContext,
  tenant: Tenant,
  target: { id: string; name: string },
  expectedVersion: number,
  reason: string | null,
): Promise<Tenant> {
  const { db, actor, requestId } = ctx;
  let routed = false;
  try {
    const updated = await db.$transaction(async (tx) => {
      const res = await tx.tenant.updateMany({
        where: { id: tenant.id, version: expectedVersion },
        data: { servingRegionId: target.id, version: { increment: 1 }, updatedBy: actor.email },
      });
      if (res.count === 0) throw new StaleWrite();
      await ctx.federation.routeTenant(tenant.slug, target.id);
      routed = true;
      const after = await tx.tenant.findUniqueOrThrow({ where: { id: tenant.id } });
      await recordAudit(tx, {
        actor,
        action: "tenant.switch",
        outcome: "succeeded",
        targetType: "tenant",
        targetId: tenant.id,
        before: { servingRegionId: tenant.servingRegionId, version: tenant.version },
        after: { servingRegionId: after.servingRegionId, version: after.version },
        reason,
        requestId,
      });
      await tx.annotation.create({
        data: { kind: "switch", tenantId: tenant.id, regionId: target.id, text: `${tenant.name} switched to ${target.name}`, actor: actor.email },
      });
      return after;
    });
    ctx.bus.emit("tenants:changed", { tenantIds: [tenant.id], by: actor.email, at: Date.now() });
    void ctx.refresh?.();
    return updated;
  } catch (e) {
    if (routed) {
      await ctx.federation
        .routeTenant(tenant.slug, tenant.servingRegionId)
        .catch((err) => console.error(`[${requestId}] could not restore route of ${tenant.slug}`, err));
    }
    throw e;
  }
}

/** The flip step of a move (and of its rollback): route the tenant now, at whatever version it has. */
export async function flipTenant(ctx: ServiceContext, tenantId: string, targetRegionId: string, reason: string): Promise<Tenant> {
  const tenant = await getTenantOrThrow(ctx.db, tenantId);
  if (tenant.servingRegionId === targetRegionId) return tenant;
  const target = await ctx.db.region.findUniqueOrThrow({ where: { id: targetRegionId } });
  return applyRoute(ctx, tenant, target, tenant.version, reason);
}

/**
 * T2/T3 (first slice): route a tenant to another region now. Refusals change nothing and are
 * audited with their reason; a success changes the router and the database together and is
 * audited with before/after.
 */
export async function switchTenantRegion(ctx: ServiceContext, input: SwitchRegionInput): Promise<TenantView> {
  const { db } = ctx;
  const seen = (t: Tenant) => ({ before: { servingRegionId: t.servingRegionId, version: t.version } });
  const tenant = await db.tenant.findUnique({ where: { id: input.tenantId } });
  if (!tenant) throw notFound(`No tenant with id "${input.tenantId}".`);
  const regions = await db.region.findMany({ orderBy: { sortOrder: "asc" } });
  const regionName = (id: string) => regions.find((r) => r.id === id)?.name ?? id;
  const target = regions.find((r) => r.id === input.targetRegionId);
  if (!target)
    throw withAuditContext(badRequest(`Unknown region "${input.targetRegionId}". Known regions: ${regions.map((r) => r.id).join(", ")}.`), seen(tenant));
  if (input.expectedVersion !== tenant.version) throw withAuditContext(staleVersion(tenant, input.expectedVersion), seen(tenant));
  if (tenant.servingRegionId === target.id) throw withAuditContext(conflict("conflict", `${tenant.name} is already served by ${target.name}.`), seen(tenant));
  // The console never acts on a route the router and it disagree about (lib/routes).
  const drift = await openDriftOf(db, tenant.slug);
  if (drift) throw withAuditContext(routeDriftError(tenant.name, drift, regionName), seen(tenant));
  const verdict = checkResidency(tenant, target.id, regionName);
  if (!verdict.allowed) throw withAuditContext(conflict("residency_violation", verdict.reason), seen(tenant));
  const live = ctx.live.region(target.id);
  if (live?.status === "down")
    throw withAuditContext(
      conflict("region_unavailable", `${target.name} is down (${live.reasons[0] ?? "no reason given"}); a tenant cannot be switched to it.`),
      seen(tenant),
    );

  try {
    return toTenantView(await applyRoute(ctx, tenant, target, input.expectedVersion, input.reason || null));
  } catch (e) {
    if (e instanceof StaleWrite) {
      const now = await getTenantOrThrow(db, tenant.id);
      throw withAuditContext(staleVersion(now, input.expectedVersion), seen(now));
    }
    if (e instanceof FederationError)
      throw withAuditContext(new AppError(502, "federation_error", `The router did not accept the switch (${e.message}). Nothing was changed.`), {
        ...seen(tenant),
        after: { error: e.code },
      });
    throw e;
  }
}

/** tenant slug → serving region: the table the router must hold. */
/** tenant slug → the regions it may be served from, for residency-locked tenants only. */
export async function residencyLocks(db: PrismaClient): Promise<Record<string, string[]>> {
  const rows = await db.tenant.findMany({ where: { NOT: { allowedRegions: { isEmpty: true } } }, select: { slug: true, allowedRegions: true } });
  return Object.fromEntries(rows.map((r) => [r.slug, r.allowedRegions]));
}

/**
 * F2: many tenants to other regions in one atomic router commit (a region failover). The database
 * and the router change together: the tenants' serving regions and the whole route table in one
 * transaction, the router's map replaced in one commit (HAProxy's prepare/commit map); if anything
 * fails the router is given the table it had. Each tenant's change is audited. Idempotent: tenants
 * already served where asked are left as they are.
 */
export async function routeTenantsAtomically(ctx: ServiceContext, changes: { tenantId: string; toRegionId: string }[], reason: string): Promise<string[]> {
  const { db, actor, requestId } = ctx;
  const before = await routeTable(db);
  const tenants = await db.tenant.findMany({ where: { id: { in: changes.map((c) => c.tenantId) } } });
  const todo = changes.filter((c) => tenants.find((t) => t.id === c.tenantId)?.servingRegionId !== c.toRegionId);
  if (todo.length === 0) return [];
  let committed = false;
  try {
    await db.$transaction(async (tx) => {
      for (const c of todo) {
        const t = tenants.find((x) => x.id === c.tenantId)!;
        await tx.tenant.update({ where: { id: t.id }, data: { servingRegionId: c.toRegionId, version: { increment: 1 }, updatedBy: actor.email } });
        await recordAudit(tx, {
          actor,
          action: "tenant.failover",
          outcome: "succeeded",
          targetType: "tenant",
          targetId: t.id,
          before: { servingRegionId: t.servingRegionId, version: t.version },
          after: { servingRegionId: c.toRegionId, version: t.version + 1 },
          reason,
          requestId,
        });
      }
      await ctx.federation.syncRoutes(await routeTable(tx as unknown as PrismaClient));
      committed = true;
    });
  } catch (e) {
    if (committed) await ctx.federation.syncRoutes(before).catch((err) => console.error(`[${requestId}] could not restore the router's table`, err));
    throw e;
  }
  ctx.bus.emit("tenants:changed", { tenantIds: todo.map((c) => c.tenantId), by: actor.email, at: Date.now() });
  void ctx.refresh?.();
  return todo.map((c) => tenants.find((t) => t.id === c.tenantId)!.slug);
}

export async function routeTable(db: PrismaClient): Promise<Record<string, string>> {
  const rows = await db.tenant.findMany({ select: { slug: true, servingRegionId: true } });
  return Object.fromEntries(rows.map((r) => [r.slug, r.servingRegionId]));
}

/**
 * Re-home: the region now serving the tenant becomes its primary (the move that brought it
 * there completed). The old primary becomes the failover region when the new primary was the
 * failover. Idempotent: a tenant whose primary already is that region is left as it is.
 */
export async function rehomeTenant(ctx: ServiceContext, tenantId: string, primaryRegionId: string, reason: string): Promise<Tenant> {
  const { db, actor, requestId } = ctx;
  return db.$transaction(async (tx) => {
    const t = await tx.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    if (t.primaryRegionId === primaryRegionId) return t;
    const failoverRegionId = t.failoverRegionId === primaryRegionId ? t.primaryRegionId : t.failoverRegionId;
    const after = await tx.tenant.update({
      where: { id: tenantId },
      data: { primaryRegionId, failoverRegionId, version: { increment: 1 }, updatedBy: actor.email },
    });
    await recordAudit(tx, {
      actor,
      action: "tenant.rehome",
      outcome: "succeeded",
      targetType: "tenant",
      targetId: tenantId,
      before: { primaryRegionId: t.primaryRegionId, failoverRegionId: t.failoverRegionId, version: t.version },
      after: { primaryRegionId, failoverRegionId, version: after.version },
      reason,
      requestId,
    });
    return after;
  });
}
