import "server-only";
import { can, ROLE_LABELS, type Actor } from "@/lib/auth/permissions";
import { AppError, forbidden, unauthenticated } from "@/lib/errors";
import { runtime, runtimeContext } from "@/lib/runtime";
import type { AuditTarget, Operation, ResultOf } from "./operation";
import { invoke } from "./invoke";
import { safeSummary } from "./refusal";
import { auditRefusalBounded } from "./refusal-log";

/**
 * What both adapters do once the caller is known: the role check (a refused attempt to act is
 * audited, with a receipt), then the operation in a context built here and nowhere else.
 */
export async function execute<O extends Operation>(op: O, actor: Actor | null, raw: unknown, requestId: string): Promise<ResultOf<O>> {
  if (!actor) throw unauthenticated();
  const ctx = runtimeContext(actor, requestId);
  if (op.kind === "query") {
    if (!can(actor.role, op.permission)) throw forbidden(refusalText(actor, op));
    return invoke(op, ctx, raw);
  }
  // Every change counts against the caller's allowance, refused or not: a flood is cut off
  // before it reaches the database, and its refusals are audited in a bounded way.
  const refuse = async (err: AppError, target: AuditTarget, reason?: string): Promise<never> => {
    throw await auditRefusalBounded(ctx, op.name, target, err, reason);
  };
  try {
    await runtime().limits.mutation.take(actor.id);
  } catch (e) {
    if (e instanceof AppError) return refuse(e, { type: "rate_limit", id: actor.id });
    throw e;
  }
  if (!can(actor.role, op.permission))
    return refuse(
      forbidden(refusalText(actor, op)),
      { type: "permission", id: op.permission, details: { input: safeSummary(raw) } },
      `${ROLE_LABELS[actor.role]} may not ${op.permission}`,
    );
  return invoke(op, ctx, raw);
}

const refusalText = (actor: Actor, op: Operation) => `Your role (${ROLE_LABELS[actor.role]}) may not do this (${op.permission}). Nothing was changed.`;
