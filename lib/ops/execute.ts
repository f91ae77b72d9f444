import { can, ROLE_LABELS, type Actor } from "@/lib/auth/permissions";
import { AppError, forbidden } from "@/lib/errors";
import { runtimeContext } from "@/lib/runtime";
import type { Operation, ResultOf } from "./operation";
import { invoke } from "./invoke";
import { auditRefusal, safeSummary } from "./refusal";

/**
 * What both adapters do once the caller is known: the role check (a refused attempt to act is
 * audited, with a receipt), then the operation in a context built here and nowhere else.
 */
export async function execute<O extends Operation>(op: O, actor: Actor | null, raw: unknown, requestId: string): Promise<ResultOf<O>> {
  if (!actor) throw new AppError(401, "unauthenticated", "Sign in first: this needs a signed-in user.");
  const ctx = runtimeContext(actor, requestId);
  if (!can(actor.role, op.permission)) {
    const err = forbidden(`Your role (${ROLE_LABELS[actor.role]}) may not do this (${op.permission}). Nothing was changed.`);
    if (op.kind === "query") throw err;
    const receipted = await auditRefusal(ctx, op.name, { type: "permission", id: op.permission, details: { input: safeSummary(raw) } }, err, `${ROLE_LABELS[actor.role]} may not ${op.permission}`);
    ctx.bus.emit("audit:appended", { action: op.name, at: Date.now() });
    throw receipted;
  }
  return invoke(op, ctx, raw);
}
