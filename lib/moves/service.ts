import "server-only";
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/db/types";
import type { ServiceContext } from "@/lib/context";
import { AppError, conflict } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/service";
import { auditRefusal } from "@/lib/ops/refusal";
import type { AuditTarget } from "@/lib/ops/operation";
import { preflight, type Preflight } from "./preflight";
import { activeBreakGlass, createApproval, toApprovalView, type ApprovalView } from "@/lib/approvals/service";
import { isResidencyLocked } from "@/lib/tenants/residency";
import { tenantSeries } from "@/lib/telemetry/series";
import type { LiveHealth } from "@/lib/telemetry/live";
import { initialSteps, type MoveStep } from "./steps";
import { ACTIVE_STATES, initialMoveState } from "./state-machine";
import type { RequestMoveInput } from "./schemas";
import type { BulkResult, MoveListItem, MoveView } from "./types";

export type { BulkResult, MoveListItem, MoveView } from "./types";

type MoveRow = Awaited<ReturnType<PrismaClient["move"]["findFirstOrThrow"]>>;

export function toMoveView(m: MoveRow): MoveView {
  return {
    id: m.id,
    tenantId: m.tenantId,
    fromRegionId: m.fromRegionId,
    toRegionId: m.toRegionId,
    state: m.state,
    step: m.step,
    steps: m.steps as unknown as MoveStep[],
    reason: m.reason,
    requestedBy: m.requestedBy,
    error: m.error,
    writePauseMs: m.writePauseMs,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    finishedAt: m.finishedAt?.toISOString() ?? null,
    kind: m.kind,
    batchId: m.batchId,
    approvalId: m.approvalId,
    latencyBeforeMs: m.latencyBeforeMs,
    rehome: m.rehome,
  };
}

/** M4 p50 latency of the tenant's probes in the live window since `since` (before/after a move). */
export function latencyP50(live: LiveHealth, slug: string, since: number): number | null {
  const v = live
    .pointsSince((s) => s === tenantSeries(slug, "latency_ms"), since)
    .map((p) => p.v)
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
}

export const newMoveId = () => `mv_${randomBytes(8).toString("hex")}`;

/**
 * T3: asks the orchestrator to move a tenant. Refusals (unknown, residency, target down, a move
 * already in progress) change nothing and are audited. The same idempotency key returns the
 * move it started the first time instead of starting another.
 */
/**
 * A move away from a region that is not healthy is an evacuation (T6 brings the tenant back once
 * it recovers); otherwise it is the admin's planned choice, which stays.
 */
function kindOf(ctx: ServiceContext, fromRegionId: string, requested?: "repin"): "planned" | "evacuation" | "repin" {
  if (requested) return requested;
  const h = ctx.live.region(fromRegionId);
  return h && (h.status !== "healthy" || h.markedDown) ? "evacuation" : "planned";
}

export async function requestMove(
  ctx: ServiceContext,
  input: RequestMoveInput & { kind?: "repin" },
): Promise<{ move: MoveView; created: boolean; approval: ApprovalView | null }> {
  const { db, actor, requestId } = ctx;
  if (input.idempotencyKey) {
    const prior = await db.move.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
    if (prior) {
      if (prior.tenantId !== input.tenantId || prior.toRegionId !== input.targetRegionId)
        throw conflict("conflict", `Idempotency key already used for another request (move ${prior.id}).`);
      return { move: toMoveView(prior), created: false, approval: null };
    }
  }
  const pf = await checkMovable(ctx, input.tenantId, input.targetRegionId);
  const tenant = await db.tenant.findUniqueOrThrow({ where: { id: input.tenantId } });
  const locked = isResidencyLocked(tenant);
  // A residency-locked tenant's move, and any re-home (a new primary region), need a second admin.
  const dual = locked || Boolean(input.rehome);
  const glass = dual ? await activeBreakGlass(db, actor.email) : [];
  try {
    const { row, approval } = await db.$transaction(async (tx) => {
      const id = newMoveId();
      const approval =
        dual && glass.length === 0
          ? await createApproval(tx, {
              kind: "move",
              subjectId: id,
              summary: `Move ${tenant.name}${locked ? ` (residency-locked to ${tenant.allowedRegions.join(", ")})` : ""} from ${pf.fromRegionId} to ${pf.toRegionId}${input.rehome ? `, making ${pf.toRegionId} its primary region (re-home)` : ""}`,
              requestedBy: actor.email,
            })
          : null;
      const m = await tx.move.create({
        data: newMoveData(ctx, {
          id,
          tenantId: input.tenantId,
          slug: tenant.slug,
          pf,
          approvalId: approval?.id ?? null,
          reason: input.reason,
          idempotencyKey: input.idempotencyKey,
          kind: input.kind,
          rehome: input.rehome,
        }),
      });
      await recordAudit(tx, {
        actor,
        action: "tenant.move",
        outcome: "succeeded",
        targetType: "tenant",
        targetId: input.tenantId,
        before: { servingRegionId: pf.fromRegionId },
        after: {
          moveId: m.id,
          toRegionId: pf.toRegionId,
          state: m.state,
          rehome: m.rehome,
          approvalId: approval?.id ?? null,
          breakGlass: glass[0]?.id ?? null,
        },
        reason: requestReason(input.reason, glass),
        requestId,
      });
      return { row: m, approval };
    });
    ctx.bus.emit("moves:changed", { moveId: row.id, tenantId: row.tenantId, state: row.state });
    return { move: toMoveView(row), created: true, approval };
  } catch (e) {
    // Two requests raced past the check: the partial unique index lets one through.
    if (isUniqueViolation(e)) {
      if (input.idempotencyKey) {
        const same = await db.move.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
        if (same) return { move: toMoveView(same), created: false, approval: null };
      }
      const winner = await db.move.findFirst({ where: { tenantId: input.tenantId, state: { in: [...ACTIVE_STATES] } } });
      throw conflict("conflict", `A move of this tenant is already in progress (${winner?.id ?? "just started"}).`, { moveId: winner?.id });
    }
    throw e;
  }
}

function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string }).code === "P2002" || /moves_one_active_per_tenant|Unique constraint|duplicate key/i.test(String((e as Error).message));
}

/** The row of a new move: one shape for single and bulk requests. */
function newMoveData(
  ctx: ServiceContext,
  m: {
    id?: string;
    tenantId: string;
    slug: string;
    pf: Preflight;
    approvalId: string | null;
    reason?: string;
    batchId?: string;
    idempotencyKey?: string;
    kind?: "repin";
    rehome?: boolean;
  },
) {
  return {
    id: m.id ?? newMoveId(),
    tenantId: m.tenantId,
    fromRegionId: m.pf.fromRegionId,
    toRegionId: m.pf.toRegionId,
    state: initialMoveState(m.approvalId !== null),
    approvalId: m.approvalId,
    batchId: m.batchId ?? null,
    kind: kindOf(ctx, m.pf.fromRegionId, m.kind),
    steps: initialSteps() as never,
    reason: m.reason || null,
    requestedBy: ctx.actor.email,
    idempotencyKey: m.idempotencyKey ?? null,
    latencyBeforeMs: latencyP50(ctx.live, m.slug, Date.now() - 5 * 60_000),
    rehome: m.rehome ?? false,
  };
}

/** The audit reason of a request: what the admin said, and the break-glass it was made under. */
function requestReason(reason: string | undefined, glass: { id: string; reason: string }[]): string | null {
  return [reason, glass[0] ? `break-glass ${glass[0].id}: ${glass[0].reason}` : null].filter(Boolean).join(" · ") || null;
}

/** Whom a move request concerns, for the audit entry of its refusal. */
export function moveTarget(i: { tenantId: string; targetRegionId: string }): AuditTarget {
  return { type: "tenant", id: i.tenantId, details: { requestedRegionId: i.targetRegionId } };
}

/** Throws the reason a tenant cannot be moved there now, or returns the pre-flight. */
async function checkMovable(ctx: ServiceContext, tenantId: string, targetRegionId: string): Promise<Preflight> {
  const pf = await preflight(ctx, { tenantId, targetRegionId });
  const active = await ctx.db.move.findFirst({ where: { tenantId, state: { in: [...ACTIVE_STATES] } } });
  if (active)
    throw conflict(
      "conflict",
      `A move of this tenant is already in progress (${active.id}, ${active.fromRegionId} → ${active.toRegionId}, requested by ${active.requestedBy}).`,
      { moveId: active.id },
    );
  const failed = pf.checks.find((c) => !c.ok);
  if (failed) {
    const code =
      failed.key === "residency"
        ? "residency_violation"
        : failed.key === "target_health"
          ? "region_unavailable"
          : failed.key === "route_drift"
            ? "route_drift"
            : "conflict";
    throw conflict(code, `Pre-flight failed — ${failed.label}: ${failed.detail}.`, { checks: pf.checks });
  }
  return pf;
}

/**
 * T4: moves a selection to one region, through the same checks as a single move. A bulk move
 * is region-wide: it waits for a second admin (unless the requester holds break-glass).
 * Tenants that cannot move are listed with their reason; the others go on.
 */
export async function requestBulkMove(
  ctx: ServiceContext,
  input: { tenantIds: string[]; targetRegionId: string; reason?: string; idempotencyKey?: string; rehome?: boolean },
): Promise<BulkResult> {
  const { db, actor, requestId } = ctx;
  if (input.idempotencyKey) {
    const prior = await db.moveBatch.findUnique({ where: { id: `mb_${input.idempotencyKey}` } });
    if (prior) {
      const moves = await db.move.findMany({ where: { batchId: prior.id } });
      const approval = moves[0]?.approvalId ? await db.approval.findUnique({ where: { id: moves[0].approvalId } }) : null;
      return { batchId: prior.id, moves: moves.map(toMoveView), refused: [], approval: approval ? toApprovalView(approval) : null };
    }
  }
  const ids = [...new Set(input.tenantIds)];
  const ok: { tenantId: string; pf: Preflight }[] = [];
  const refused: BulkResult["refused"] = [];
  for (const tenantId of ids) {
    try {
      ok.push({ tenantId, pf: await checkMovable(ctx, tenantId, input.targetRegionId) });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      refused.push({ tenantId, message: e.message });
      // The others go on: this tenant's refusal is audited on its own, as a single move's would be.
      await auditRefusal(ctx, "tenant.move", moveTarget({ tenantId, targetRegionId: input.targetRegionId }), e, e.message);
    }
  }
  if (ok.length === 0)
    throw conflict("conflict", `None of the ${ids.length} selected tenants can move: ${refused.map((r) => `${r.tenantId}: ${r.message}`).join(" ")}`, {
      refused,
    });
  const glass = await activeBreakGlass(db, actor.email);
  const tenants = await db.tenant.findMany({ where: { id: { in: ok.map((o) => o.tenantId) } } });
  const batchId = input.idempotencyKey ? `mb_${input.idempotencyKey}` : `mb_${newMoveId().slice(3)}`;
  const { rows, approval } = await db.$transaction(async (tx) => {
    await tx.moveBatch.create({
      data: { id: batchId, toRegionId: input.targetRegionId, requestedBy: actor.email, reason: input.reason || null, tenantCount: ok.length },
    });
    const approval =
      glass.length === 0
        ? await createApproval(tx, {
            kind: "bulk_move",
            subjectId: batchId,
            summary: `Bulk move of ${ok.length} tenants to ${input.targetRegionId}${input.rehome ? ` as their new primary region (re-home)` : ""}: ${tenants.map((t) => t.name).join(", ")}`,
            requestedBy: actor.email,
          })
        : null;
    const rows = [];
    for (const { tenantId, pf } of ok) {
      const t = tenants.find((x) => x.id === tenantId)!;
      rows.push(
        await tx.move.create({
          data: newMoveData(ctx, { tenantId, slug: t.slug, pf, approvalId: approval?.id ?? null, reason: input.reason, batchId, rehome: input.rehome }),
        }),
      );
    }
    await recordAudit(tx, {
      actor,
      action: "tenant.bulk_move",
      outcome: "succeeded",
      targetType: "batch",
      targetId: batchId,
      after: {
        tenants: ok.map((o) => o.tenantId),
        refused: refused.map((r) => r.tenantId),
        toRegionId: input.targetRegionId,
        rehome: Boolean(input.rehome),
        approvalId: approval?.id ?? null,
        breakGlass: glass[0]?.id ?? null,
      },
      reason: requestReason(input.reason, glass),
      requestId,
    });
    return { rows, approval };
  });
  for (const m of rows) ctx.bus.emit("moves:changed", { moveId: m.id, tenantId: m.tenantId, state: m.state });
  return { batchId, moves: rows.map(toMoveView), refused, approval };
}

export async function listMoves(
  ctx: Pick<ServiceContext, "db" | "live">,
  q: { active?: boolean; tenantId?: string; batchId?: string; limit?: number } = {},
): Promise<MoveListItem[]> {
  const { db, live } = ctx;
  const rows = await db.move.findMany({
    where: { tenantId: q.tenantId, batchId: q.batchId, ...(q.active ? { state: { in: [...ACTIVE_STATES] } } : {}) },
    orderBy: { createdAt: "desc" },
    take: Math.min(q.limit ?? 50, 200),
  });
  const tenants = await db.tenant.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.tenantId))] } }, select: { id: true, slug: true, name: true } });
  return rows.map((r) => {
    const t = tenants.find((x) => x.id === r.tenantId);
    return {
      ...toMoveView(r),
      tenantName: t?.name ?? r.tenantId,
      latencyAfterMs: t && r.finishedAt && r.state === "completed" ? latencyP50(live, t.slug, r.finishedAt.getTime()) : null,
    };
  });
}

export async function getMoveOrThrow(ctx: Pick<ServiceContext, "db">, id: string): Promise<MoveView> {
  const m = await ctx.db.move.findUnique({ where: { id } });
  if (!m) throw new AppError(404, "not_found", `No move with id "${id}".`);
  return toMoveView(m);
}
