import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/db/types";
import type { ServiceContext } from "@/lib/context";
import { AppError, conflict } from "@/lib/errors";
import { recordAudit, recordAuditAlone } from "@/lib/audit/service";
import { preflight } from "./preflight";
import { ACTIVE_STATES, initialSteps, type MoveState, type MoveStep } from "./steps";
import type { RequestMoveInput } from "./schemas";

export interface MoveView {
  id: string;
  tenantId: string;
  fromRegionId: string;
  toRegionId: string;
  state: MoveState;
  step: string | null;
  steps: MoveStep[];
  reason: string | null;
  requestedBy: string;
  error: string | null;
  writePauseMs: number | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

type MoveRow = Awaited<ReturnType<PrismaClient["move"]["findFirstOrThrow"]>>;

export function toMoveView(m: MoveRow): MoveView {
  return {
    id: m.id,
    tenantId: m.tenantId,
    fromRegionId: m.fromRegionId,
    toRegionId: m.toRegionId,
    state: m.state as MoveState,
    step: m.step,
    steps: m.steps as unknown as MoveStep[],
    reason: m.reason,
    requestedBy: m.requestedBy,
    error: m.error,
    writePauseMs: m.writePauseMs,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    finishedAt: m.finishedAt?.toISOString() ?? null,
  };
}

export const newMoveId = () => `mv_${randomBytes(8).toString("hex")}`;

/**
 * T3: asks the orchestrator to move a tenant. Refusals (unknown, residency, target down, a move
 * already in progress) change nothing and are audited. The same idempotency key returns the
 * move it started the first time instead of starting another.
 */
export async function requestMove(ctx: ServiceContext, input: RequestMoveInput): Promise<{ move: MoveView; created: boolean }> {
  const { db, actor, requestId } = ctx;
  if (input.idempotencyKey) {
    const prior = await db.move.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
    if (prior) {
      if (prior.tenantId !== input.tenantId || prior.toRegionId !== input.targetRegionId)
        throw conflict("conflict", `Idempotency key already used for another request (move ${prior.id}).`);
      return { move: toMoveView(prior), created: false };
    }
  }
  const refuse = async (err: AppError): Promise<never> => {
    await recordAuditAlone(db, {
      actor,
      action: "tenant.move",
      outcome: "refused",
      targetType: "tenant",
      targetId: input.tenantId,
      after: { requestedRegionId: input.targetRegionId, refusal: err.code },
      reason: err.message,
      requestId,
    });
    throw err;
  };
  let pf;
  try {
    pf = await preflight(db, ctx.live, input.tenantId, input.targetRegionId);
  } catch (e) {
    if (e instanceof AppError) return refuse(e);
    throw e;
  }
  const active = await db.move.findFirst({ where: { tenantId: input.tenantId, state: { in: [...ACTIVE_STATES] } } });
  if (active)
    return refuse(
      conflict("conflict", `A move of this tenant is already in progress (${active.id}, ${active.fromRegionId} → ${active.toRegionId}, requested by ${active.requestedBy}).`, {
        moveId: active.id,
      }),
    );
  const failed = pf.checks.find((c) => !c.ok);
  if (failed) {
    const code = failed.key === "residency" ? "residency_violation" : failed.key === "target_health" ? "region_unavailable" : "conflict";
    return refuse(conflict(code, `Pre-flight failed — ${failed.label}: ${failed.detail}.`, { checks: pf.checks }));
  }
  try {
    const row = await db.$transaction(async (tx) => {
      const m = await tx.move.create({
        data: {
          id: newMoveId(),
          tenantId: input.tenantId,
          fromRegionId: pf.fromRegionId,
          toRegionId: pf.toRegionId,
          state: "queued",
          steps: initialSteps() as never,
          reason: input.reason || null,
          requestedBy: actor.email,
          idempotencyKey: input.idempotencyKey ?? null,
        },
      });
      await recordAudit(tx, {
        actor,
        action: "tenant.move",
        outcome: "succeeded",
        targetType: "tenant",
        targetId: input.tenantId,
        before: { servingRegionId: pf.fromRegionId },
        after: { moveId: m.id, toRegionId: pf.toRegionId, state: "queued" },
        reason: input.reason || null,
        requestId,
      });
      return m;
    });
    ctx.bus.emit("moves:changed", { moveId: row.id, tenantId: row.tenantId, state: "queued" });
    return { move: toMoveView(row), created: true };
  } catch (e) {
    // Two requests raced past the check: the partial unique index lets one through.
    if ((e as { code?: string }).code === "P2002" || /moves_one_active_per_tenant|Unique constraint/i.test(String((e as Error).message))) {
      const winner = await db.move.findFirst({ where: { tenantId: input.tenantId, state: { in: [...ACTIVE_STATES] } } });
      if (input.idempotencyKey) {
        const same = await db.move.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
        if (same) return { move: toMoveView(same), created: false };
      }
      return refuse(conflict("conflict", `A move of this tenant is already in progress (${winner?.id ?? "just started"}).`, { moveId: winner?.id }));
    }
    throw e;
  }
}

export async function listMoves(db: PrismaClient, q: { active?: boolean; tenantId?: string; limit?: number } = {}): Promise<MoveView[]> {
  const rows = await db.move.findMany({
    where: { tenantId: q.tenantId, ...(q.active ? { state: { in: [...ACTIVE_STATES] } } : {}) },
    orderBy: { createdAt: "desc" },
    take: Math.min(q.limit ?? 50, 200),
  });
  return rows.map(toMoveView);
}

export async function getMoveOrThrow(db: PrismaClient, id: string): Promise<MoveView> {
  const m = await db.move.findUnique({ where: { id } });
  if (!m) throw new AppError(404, "not_found", `No move with id "${id}".`);
  return toMoveView(m);
}
