import "server-only";
import { recordAuditAlone, type AuditInput } from "@/lib/audit/service";
import { AppError } from "@/lib/errors";
import type { ServiceContext } from "@/lib/context";
import type { AuditTarget } from "./operation";

/**
 * Audits a refused (4xx) or failed (5xx) attempt in a transaction of its own — nothing else was
 * written —, tells listeners the log grew, and returns the error with its receipt (T7: the audit
 * entry's sequence and hash).
 */
export async function auditRefusal(
  ctx: Pick<ServiceContext, "db" | "bus" | "actor" | "requestId">,
  action: string,
  target: AuditTarget,
  err: AppError,
  reason?: string | null,
): Promise<AppError> {
  const failed = err.status >= 500;
  const receipt = await recordAuditAlone(ctx.db, {
    actor: ctx.actor,
    action: target.action ?? action,
    outcome: failed ? "failed" : "refused",
    targetType: target.type,
    targetId: target.id,
    before: err.audit?.before ?? null,
    after: { ...target.details, [failed ? "error" : "refusal"]: err.code, ...err.audit?.after },
    reason: reason ?? err.message,
    requestId: ctx.requestId,
  } satisfies AuditInput);
  ctx.bus.emit("audit:appended", { action: target.action ?? action, at: Date.now() });
  return withReceipt(err, receipt);
}

/** The error with its audit receipt in `details.receipt`, marked so nobody audits it twice. */
export function withReceipt(err: AppError, receipt: { seq: bigint; hash: string }): AppError {
  const e = new AppError(err.status, err.code, err.message, { ...err.details, receipt: { auditSeq: receipt.seq.toString(), hash: receipt.hash } });
  e.receipt = receipt;
  return e;
}

/**
 * A bounded, escaped rendering of what a caller sent, for the audit entry of a refused attempt:
 * JSON text (control characters and lone surrogates come out as \u escapes), at most 500
 * characters, stored as a string — never the raw value.
 */
export function safeSummary(raw: unknown, max = 500): string {
  let s: string;
  try {
    s = JSON.stringify(raw ?? null, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) ?? "null";
  } catch {
    return "(unserialisable input)";
  }
  s = s.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
