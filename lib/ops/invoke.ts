import "server-only";
import { AppError, badRequest } from "@/lib/errors";
import { describeZodError } from "@/lib/validation";
import type { ServiceContext } from "@/lib/context";
import type { Mutation, Operation, ResultOf } from "./operation";
import { auditRefusal, safeSummary } from "./refusal";
import { auditRefusalBounded } from "./refusal-log";

/**
 * Validates the input and runs the operation as `ctx.actor`. A mutation's refusal or failure
 * (an AppError from its run, or invalid input) is audited here, once, and carries its receipt.
 * Authentication and the role check belong to the adapters; workers call this directly.
 */
export async function invoke<O extends Operation>(op: O, ctx: ServiceContext, raw: unknown): Promise<ResultOf<O>> {
  const parsed = op.schema.safeParse(raw);
  if (!parsed.success) {
    const err = badRequest(`Invalid input: ${describeZodError(parsed.error)}.`);
    if (op.kind === "query") throw err;
    throw await auditRefusalBounded(ctx, op.name, { type: "request", id: null, details: { input: safeSummary(raw) } }, err);
  }
  if (op.kind === "query") return (await op.run(ctx, parsed.data)) as ResultOf<O>;
  return (await runMutation(op, ctx, parsed.data)) as ResultOf<O>;
}

async function runMutation(op: Mutation, ctx: ServiceContext, input: unknown): Promise<unknown> {
  try {
    const result = await op.run(ctx, input);
    // The change wrote its audit entry in its own transaction.
    ctx.bus.emit("audit:appended", { action: op.name, at: Date.now() });
    return result;
  } catch (e) {
    if (!(e instanceof AppError) || e.receipt) throw e;
    const why = (input as { reason?: unknown }).reason;
    const reason = typeof why === "string" && why ? `${e.message} (requested because: ${why})` : e.message;
    throw await auditRefusal(ctx, op.name, op.target(input), e, reason);
  }
}
