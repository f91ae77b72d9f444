import "server-only";
import { z } from "zod";
import { defineMutation, defineQuery, type AuditTarget } from "@/lib/ops/operation";
import { auditRefusalBounded } from "@/lib/ops/refusal-log";
import type { ServiceContext } from "@/lib/context";
import { AppError, badRequest } from "@/lib/errors";
import { runtime } from "@/lib/runtime";
import { markReauth, ownSession, REAUTH_MAX_AGE_MS, sessionPolicy, statusOf, touchSession, type SessionStatus } from "./service";
import { checkPassword } from "./sign-in";

// A1: a person's own session. Status (a background read: never extends the session), "Stay
// signed in" (activity), and re-entering the password for the most dangerous actions.

const target = (): AuditTarget => ({ type: "session", id: null });

/** Refusals that cost nothing to repeat are audited boundedly, here, so invoke() does not audit each. */
async function refuse(ctx: ServiceContext, action: string, err: AppError): Promise<never> {
  throw await auditRefusalBounded(ctx, action, target(), err);
}

async function own(ctx: ServiceContext, action: string) {
  try {
    return await ownSession(ctx);
  } catch (e) {
    if (e instanceof AppError) return refuse(ctx, action, e);
    throw e;
  }
}

/** When the caller's session ends if idle, and at the latest. */
export const sessionStatusQuery = defineQuery({
  name: "session.status",
  permission: "session:self",
  schema: z.object({}),
  run: async (ctx): Promise<SessionStatus> => statusOf(await ownSession(ctx), sessionPolicy(runtime().env)),
});

/** "Stay signed in": records activity now. */
export const keepAliveOp = defineMutation({
  name: "session.keep_alive",
  permission: "session:self",
  schema: z.object({}),
  target,
  run: async (ctx): Promise<SessionStatus> => {
    const s = await own(ctx, "session.keep_alive");
    const now = Date.now();
    await touchSession(ctx.db, s.id, now, true);
    return statusOf({ ...s, lastSeenAt: new Date(now) }, sessionPolicy(runtime().env), now);
  },
});

// The password is read inside run, never by the schema: a malformed body is refused without its
// content reaching the audit entry of the refusal.
const reauthSchema = z.unknown().transform((v) => {
  const p = v && typeof v === "object" && !Array.isArray(v) ? (v as { password?: unknown }).password : undefined;
  return { password: typeof p === "string" && p.length > 0 && p.length <= 200 ? p : null };
});

/**
 * Re-enter the password: the session counts as re-authenticated for REAUTH_MAX_AGE_MS (break-glass
 * needs it). Wrong passwords count against the account's sign-in allowance.
 */
export const reauthOp = defineMutation({
  name: "session.reauth",
  permission: "session:self",
  schema: reauthSchema,
  target,
  run: async (ctx, input): Promise<{ reauthAt: string; validUntil: string; maxAgeSec: number }> => {
    const name = "session.reauth";
    if (!input.password) return refuse(ctx, name, badRequest('Send your password as JSON: { "password": "…" } (at most 200 characters).'));
    await own(ctx, name);
    const limiter = runtime().limits.loginAccount;
    const key = ctx.actor.email.toLowerCase();
    try {
      await limiter.take(key);
    } catch (e) {
      if (e instanceof AppError) return refuse(ctx, name, e);
      throw e;
    }
    const user = await ctx.db.user.findUnique({ where: { id: ctx.actor.id } });
    if (!(await checkPassword(input.password, user?.passwordHash))) {
      return refuse(ctx, name, new AppError(401, "reauth_required", "That is not your password. Nothing was changed: enter the password you sign in with."));
    }
    await limiter.reset(key);
    return { ...(await markReauth(ctx)), maxAgeSec: REAUTH_MAX_AGE_MS / 1000 };
  },
});
