import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { can, type Action, type Actor, ROLE_LABELS } from "@/lib/auth/permissions";
import { currentActor } from "@/lib/auth/session";
import { recordAuditAlone } from "@/lib/audit/service";
import { AppError, badRequest, forbidden } from "@/lib/errors";
import { describeZodError } from "@/lib/tenants/schemas";
import { runtime } from "@/lib/runtime";

// The one guard every server action and route handler goes through: authenticate, authorise
// (auditing a refused attempt to act), validate. Used by lib/http/action.ts and lib/http/route.ts.

export interface GuardSpec<S extends z.ZodType> {
  /** What the caller wants to do; checked against the role matrix. */
  action: Action;
  /** Audit action name for a refusal (mutations only; reads are not audited). */
  auditAs?: string;
  schema: S;
}

export interface Guarded<T> {
  actor: Actor;
  input: T;
  requestId: string;
}

export async function guard<S extends z.ZodType>(spec: GuardSpec<S>, raw: unknown, requestId: string = randomUUID()): Promise<Guarded<z.infer<S>>> {
  const actor = await currentActor();
  if (!actor) throw new AppError(401, "unauthenticated", "Sign in first: this needs a signed-in user.");
  if (!can(actor.role, spec.action)) {
    if (spec.auditAs) {
      await recordAuditAlone(runtime().database.prisma, {
        actor,
        action: spec.auditAs,
        outcome: "refused",
        targetType: "permission",
        targetId: spec.action,
        after: { refusal: "forbidden", input: summarise(raw) },
        reason: `${ROLE_LABELS[actor.role]} may not ${spec.action}`,
        requestId,
      });
    }
    throw forbidden(`Your role (${ROLE_LABELS[actor.role]}) may not do this (${spec.action}). Nothing was changed.`);
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) throw badRequest(`Invalid input: ${describeZodError(parsed.error)}.`);
  return { actor, input: parsed.data, requestId };
}

/** A bounded copy of what was sent, for the audit entry of a refused attempt. */
function summarise(raw: unknown): unknown {
  try {
    const s = JSON.stringify(raw ?? null);
    return s.length > 500 ? `${s.slice(0, 500)}…` : JSON.parse(s);
  } catch {
    return "(unserialisable)";
  }
}
