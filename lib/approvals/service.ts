import "server-only";
import { randomBytes } from "node:crypto";
import type { PrismaClient, Tx } from "@/lib/db/types";
import type { ServiceContext } from "@/lib/context";
import type { Bus } from "@/lib/realtime/bus";
import { conflict, forbidden, notFound } from "@/lib/errors";
import { recordAudit } from "@/lib/audit/service";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { StaleTransitionError } from "@/lib/state-machine";
import { transitionMoves } from "@/lib/moves/state-machine";
import { initialApprovalState, transitionApproval } from "./state-machine";
import type { ApprovalView, BreakGlassView } from "./types";

export type { ApprovalView, BreakGlassView } from "./types";

// T5 dual control: a move of a residency-locked tenant and a bulk (region-wide) move wait for a
// second admin's approval, which expires unanswered. Break-glass lets one admin act alone for a
// while, with a mandatory reason; everything is audited.

export const APPROVAL_TTL_MS = 15 * 60_000;

type ApprovalRow = Awaited<ReturnType<PrismaClient["approval"]["findFirstOrThrow"]>>;

export const toApprovalView = (a: ApprovalRow): ApprovalView => ({
  id: a.id,
  kind: a.kind,
  subjectId: a.subjectId,
  summary: a.summary,
  requestedBy: a.requestedBy,
  requestedAt: a.requestedAt.toISOString(),
  expiresAt: a.expiresAt.toISOString(),
  state: a.state,
  decidedBy: a.decidedBy,
  decidedAt: a.decidedAt?.toISOString() ?? null,
});

export async function createApproval(
  tx: Tx,
  a: { kind: string; subjectId: string; summary: string; requestedBy: string; now?: number },
): Promise<ApprovalView> {
  const now = a.now ?? Date.now();
  const row = await tx.approval.create({
    data: {
      id: `ap_${randomBytes(8).toString("hex")}`,
      kind: a.kind,
      subjectId: a.subjectId,
      summary: a.summary,
      requestedBy: a.requestedBy,
      requestedAt: new Date(now),
      expiresAt: new Date(now + APPROVAL_TTL_MS),
      state: initialApprovalState(),
    },
  });
  return toApprovalView(row);
}

export async function listApprovals(ctx: Pick<ServiceContext, "db">, q: { pending?: boolean; limit?: number } = {}): Promise<ApprovalView[]> {
  const rows = await ctx.db.approval.findMany({
    where: q.pending ? { state: "pending" } : {},
    orderBy: { requestedAt: "desc" },
    take: Math.min(q.limit ?? 50, 200),
  });
  return rows.map(toApprovalView);
}

/** A second admin approves or rejects. The requester cannot decide their own request. */
export async function decideApproval(ctx: ServiceContext, input: { approvalId: string; decision: "approve" | "reject" }): Promise<ApprovalView> {
  const { db, actor, requestId } = ctx;
  const a = await db.approval.findUnique({ where: { id: input.approvalId } });
  if (!a) throw notFound(`No approval with id "${input.approvalId}".`);
  if (a.requestedBy === actor.email) throw forbidden("A second admin must decide: you made this request yourself.");
  if (a.state !== "pending") throw conflict("conflict", `This request was already ${a.state}${a.decidedBy ? ` by ${a.decidedBy}` : ""}.`);
  if (a.expiresAt.getTime() <= Date.now()) throw conflict("conflict", `This request expired at ${a.expiresAt.toISOString().slice(11, 19)} UTC; ask again.`);
  const state = input.decision === "approve" ? "approved" : "rejected";
  const row = await db.$transaction(async (tx) => {
    try {
      await transitionApproval(tx, a.id, "pending", state, { decidedBy: actor.email, decidedAt: new Date() });
    } catch (e) {
      if (e instanceof StaleTransitionError) throw conflict("conflict", "This request was decided by someone else a moment ago.");
      throw e;
    }
    const approved = input.decision === "approve";
    await transitionMoves(tx, { approvalId: a.id }, "awaiting_approval", approved ? "queued" : "rejected", { finishedAt: approved ? null : new Date() });
    await recordAudit(tx, {
      actor,
      action: `approval.${input.decision}`,
      outcome: "succeeded",
      targetType: "approval",
      targetId: a.id,
      before: { state: "pending", requestedBy: a.requestedBy },
      after: { state, subjectId: a.subjectId },
      reason: a.summary,
      requestId,
    });
    return tx.approval.findUniqueOrThrow({ where: { id: a.id } });
  });
  await announce(db, ctx.bus, a.id);
  return toApprovalView(row);
}

/**
 * Pending approvals past their expiry expire, and so do the moves waiting for them. One decided
 * meanwhile keeps its decision. Returns how many expired.
 */
export async function expireApprovals(db: PrismaClient, bus: Bus, now = Date.now()): Promise<number> {
  const due = await db.approval.findMany({ where: { state: "pending", expiresAt: { lte: new Date(now) } } });
  let expired = 0;
  for (const a of due) {
    const done = await db.$transaction(async (tx) => {
      try {
        await transitionApproval(tx, a.id, "pending", "expired", { decidedAt: new Date(now) });
      } catch (e) {
        if (e instanceof StaleTransitionError) return false;
        throw e;
      }
      await transitionMoves(tx, { approvalId: a.id }, "awaiting_approval", "expired", { finishedAt: new Date(now) });
      await recordAudit(tx, {
        actor: SYSTEM_ACTOR,
        action: "approval.expire",
        outcome: "succeeded",
        targetType: "approval",
        targetId: a.id,
        after: { state: "expired" },
        reason: `no second admin answered within ${Math.round((a.expiresAt.getTime() - a.requestedAt.getTime()) / 60_000)} min: ${a.summary}`,
      });
      return true;
    });
    if (!done) continue;
    expired++;
    await announce(db, bus, a.id);
  }
  return expired;
}

async function announce(db: PrismaClient, bus: Bus, approvalId: string) {
  for (const m of await db.move.findMany({ where: { approvalId }, select: { id: true, tenantId: true, state: true } }))
    bus.emit("moves:changed", { moveId: m.id, tenantId: m.tenantId, state: m.state });
}

// ---- break-glass ------------------------------------------------------------------------

export async function activeBreakGlass(db: PrismaClient | Tx, actorEmail?: string, now = Date.now()): Promise<BreakGlassView[]> {
  const rows = await db.breakGlass.findMany({
    where: { endedAt: null, expiresAt: { gt: new Date(now) }, ...(actorEmail ? { actorEmail } : {}) },
    orderBy: { startedAt: "desc" },
  });
  return rows.map((b) => ({
    id: b.id,
    actorEmail: b.actorEmail,
    reason: b.reason,
    startedAt: b.startedAt.toISOString(),
    expiresAt: b.expiresAt.toISOString(),
  }));
}

export async function startBreakGlass(ctx: ServiceContext, input: { reason: string; minutes: number }): Promise<BreakGlassView> {
  const { db, actor, requestId } = ctx;
  if ((await activeBreakGlass(db, actor.email)).length) throw conflict("conflict", "You already have break-glass active; end it first.");
  const row = await db.$transaction(async (tx) => {
    const b = await tx.breakGlass.create({
      data: {
        id: `bg_${randomBytes(8).toString("hex")}`,
        actorEmail: actor.email,
        reason: input.reason,
        expiresAt: new Date(Date.now() + input.minutes * 60_000),
      },
    });
    await recordAudit(tx, {
      actor,
      action: "break_glass.start",
      outcome: "succeeded",
      targetType: "break_glass",
      targetId: b.id,
      after: { expiresAt: b.expiresAt.toISOString(), minutes: input.minutes },
      reason: input.reason,
      requestId,
    });
    return b;
  });
  ctx.bus.emit("break-glass:changed", await activeBreakGlass(db));
  return { id: row.id, actorEmail: row.actorEmail, reason: row.reason, startedAt: row.startedAt.toISOString(), expiresAt: row.expiresAt.toISOString() };
}

export async function endBreakGlass(ctx: ServiceContext): Promise<void> {
  const { db, actor, requestId } = ctx;
  const mine = await activeBreakGlass(db, actor.email);
  if (!mine.length) throw conflict("conflict", "You have no break-glass active.");
  await db.$transaction(async (tx) => {
    await tx.breakGlass.updateMany({ where: { id: { in: mine.map((b) => b.id) } }, data: { endedAt: new Date() } });
    await recordAudit(tx, { actor, action: "break_glass.end", outcome: "succeeded", targetType: "break_glass", targetId: mine[0].id, requestId });
  });
  ctx.bus.emit("break-glass:changed", await activeBreakGlass(db));
}
