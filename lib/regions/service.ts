import type { PrismaClient } from "@/lib/db/types";
import type { ServiceContext } from "@/lib/context";
import { AppError, conflict, notFound } from "@/lib/errors";
import { recordAudit, recordAuditAlone } from "@/lib/audit/service";
import { FederationError } from "@/lib/federation/types";
import type { MarkRegionInput } from "./schemas";

export interface RegionView {
  id: string;
  name: string;
  shortName: string;
  markedDown: boolean;
  markedBy: string | null;
  markedAt: string | null;
  markReason: string | null;
}

export async function listRegions(db: PrismaClient): Promise<RegionView[]> {
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
 * Persisted so a restart of the console keeps the mark; audited either way.
 */
export async function markRegion(ctx: ServiceContext, input: MarkRegionInput): Promise<RegionView> {
  const { db, actor, requestId } = ctx;
  const action = input.down ? "region.mark_down" : "region.mark_up";
  const refuse = async (err: AppError): Promise<never> => {
    await recordAuditAlone(db, {
      actor,
      action,
      outcome: "refused",
      targetType: "region",
      targetId: input.regionId,
      after: { refusal: err.code },
      reason: err.message,
      requestId,
    });
    throw err;
  };
  const region = await db.region.findUnique({ where: { id: input.regionId } });
  if (!region) return refuse(notFound(`No region with id "${input.regionId}".`));
  const current = await db.regionControl.findUnique({ where: { regionId: region.id } });
  const wasDown = current?.down ?? false;
  if (wasDown === input.down)
    return refuse(conflict("conflict", `${region.name} is already marked ${input.down ? "down" : "up"}${current?.updatedBy ? ` (by ${current.updatedBy})` : ""}.`));

  try {
    await db.$transaction(async (tx) => {
      await tx.regionControl.upsert({
        where: { regionId: region.id },
        create: { regionId: region.id, down: input.down, reason: input.reason || null, updatedBy: actor.email },
        update: { down: input.down, reason: input.reason || null, updatedBy: actor.email },
      });
      await ctx.federation.setRegionDown(region.id, input.down);
      await recordAudit(tx, {
        actor,
        action,
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
    if (e instanceof FederationError) {
      await ctx.federation.setRegionDown(region.id, wasDown).catch(() => undefined);
      await recordAuditAlone(db, {
        actor,
        action,
        outcome: "failed",
        targetType: "region",
        targetId: region.id,
        after: { error: e.code },
        reason: e.message,
        requestId,
      });
      throw new AppError(502, "federation_error", `The federation did not accept the change (${e.message}). Nothing was changed.`);
    }
    throw e;
  }
  ctx.bus.emit("regions:changed", { regionId: region.id, markedDown: input.down, by: actor.email, at: Date.now() });
  await ctx.refresh?.();
  const views = await listRegions(db);
  return views.find((v) => v.id === region.id)!;
}
