import "server-only";
import type { ServiceContext } from "@/lib/context";
import { AppError, conflict, notFound, withAuditContext } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/service";
import { FederationError } from "@/lib/federation/types";
import type { MarkRegionInput } from "./schemas";
import type { RegionView } from "./types";

export type { RegionView } from "./types";

export async function listRegions(ctx: Pick<ServiceContext, "db">): Promise<RegionView[]> {
  const { db } = ctx;
  const [regions, controls] = await Promise.all([db.region.findMany({ orderBy: { sortOrder: "asc" } }), db.regionControl.findMany()]);
  return regions.map((r) => {
    const c = controls.find((x) => x.regionId === r.id);
    return {
      id: r.id,
      name: r.name,
      shortName: r.shortName,
      markedDown: c?.down ?? false,
      markedBy: c?.updatedBy ?? null,
      markedAt: c?.updatedAt.toISOString() ?? null,
      markReason: c?.reason ?? null,
    };
  });
}

/**
 * Mark a region down (sim: a simulated outage; lab: its router backend in maintenance) or up.
 * Persisted so a restart of the console keeps the mark; audited either way. The federation and
 * the database change together: if anything after the federation's change fails (the audit,
 * the annotation, the commit), the federation is put back.
 */
export async function markRegion(ctx: ServiceContext, input: MarkRegionInput): Promise<RegionView> {
  const { db, actor, requestId } = ctx;
  const region = await db.region.findUnique({ where: { id: input.regionId } });
  if (!region) throw notFound(`No region with id "${input.regionId}".`);
  const current = await db.regionControl.findUnique({ where: { regionId: region.id } });
  const wasDown = current?.down ?? false;
  if (wasDown === input.down)
    throw conflict("conflict", `${region.name} is already marked ${input.down ? "down" : "up"}${current?.updatedBy ? ` (by ${current.updatedBy})` : ""}.`);

  let applied = false;
  try {
    await db.$transaction(async (tx) => {
      await tx.regionControl.upsert({
        where: { regionId: region.id },
        create: { regionId: region.id, down: input.down, reason: input.reason || null, updatedBy: actor.email },
        update: { down: input.down, reason: input.reason || null, updatedBy: actor.email },
      });
      await ctx.federation.setRegionDown(region.id, input.down);
      applied = true;
      await recordAudit(tx, {
        actor,
        action: markAction(input.down),
        outcome: "succeeded",
        targetType: "region",
        targetId: region.id,
        before: { markedDown: wasDown },
        after: { markedDown: input.down },
        reason: input.reason || null,
        requestId,
      });
      await tx.annotation.create({
        data: {
          kind: input.down ? "region_marked_down" : "region_marked_up",
          regionId: region.id,
          text: `${region.name} marked ${input.down ? "down" : "up"}${input.reason ? `: ${input.reason}` : ""}`,
          actor: actor.email,
        },
      });
    });
  } catch (e) {
    if (applied) await ctx.federation.setRegionDown(region.id, wasDown).catch(() => undefined);
    if (e instanceof FederationError)
      throw withAuditContext(new AppError(502, "federation_error", `The federation did not accept the change (${e.message}). Nothing was changed.`), {
        before: { markedDown: wasDown },
        after: { error: e.code },
      });
    throw e;
  }
  ctx.bus.emit("regions:changed", { regionId: region.id, markedDown: input.down, by: actor.email, at: Date.now() });
  await ctx.refresh();
  const views = await listRegions(ctx);
  return views.find((v) => v.id === region.id)!;
}

export const markAction = (down: boolean) => (down ? "region.mark_down" : "region.mark_up");
