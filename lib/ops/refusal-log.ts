import "server-only";
import { recordAuditAlone } from "@/lib/audit/service";
import type { ServiceContext } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { AuditTarget } from "./operation";
import { auditRefusal } from "./refusal";

// Refused attempts that cost nothing to repeat (a role without the permission, a throttled
// caller, malformed input) are audited in a bounded way: the first of a kind per caller per
// window is an entry of its own, with its receipt; the rest of the window is counted and
// written as one summary entry when the window closes. A flood of 1,000 refusals is two entries.

interface Window {
  receipt: { seq: bigint; hash: string } | null;
  suppressed: number;
  timer: NodeJS.Timeout;
  close(): Promise<void>;
}

const windows = new WeakMap<object, Map<string, Window>>();

export async function auditRefusalBounded(
  ctx: ServiceContext,
  action: string,
  target: AuditTarget,
  err: AppError,
  reason?: string,
  windowMs = 60_000,
): Promise<AppError> {
  let byKey = windows.get(ctx.db);
  if (!byKey) windows.set(ctx.db, (byKey = new Map()));
  const key = `${ctx.actor.id}|${action}|${err.code}`;
  const open = byKey.get(key);
  if (open?.receipt) {
    open.suppressed++;
    const repeat = new AppError(err.status, err.code, err.message, {
      ...err.details,
      receipt: { auditSeq: open.receipt.seq.toString(), hash: open.receipt.hash },
      auditedAs: "a repeat within the minute: counted in one summary entry when the minute ends",
    });
    repeat.receipt = open.receipt;
    return repeat;
  }
  const closeIt = () => close(ctx, byKey, key, action, target, err);
  const w: Window = { receipt: null, suppressed: 0, timer: setTimeout(() => void closeIt(), windowMs), close: closeIt };
  w.timer.unref();
  byKey.set(key, w);
  const receipted = await auditRefusal(ctx, action, target, err, reason);
  w.receipt = receipted.receipt ?? null;
  return receipted;
}

async function close(ctx: ServiceContext, byKey: Map<string, Window>, key: string, action: string, target: AuditTarget, err: AppError): Promise<void> {
  const w = byKey.get(key);
  byKey.delete(key);
  if (!w) return;
  clearTimeout(w.timer);
  if (w.suppressed === 0) return;
  await recordAuditAlone(ctx.db, {
    actor: ctx.actor,
    action: target.action ?? action,
    outcome: "refused",
    targetType: target.type,
    targetId: target.id,
    after: { refusal: err.code, repeats: w.suppressed, firstEntry: w.receipt?.seq.toString() ?? null },
    reason: `${w.suppressed} more refused attempt${w.suppressed === 1 ? "" : "s"} (${err.code}) by ${ctx.actor.email} after entry ${w.receipt?.seq ?? "?"}, counted rather than recorded one by one`,
    requestId: ctx.requestId,
  }).catch((e) => console.error(`[audit] summary of repeated refusals not written: ${e instanceof Error ? e.message : e}`));
  ctx.bus.emit("audit:appended", { action, at: Date.now() });
}

/** Writes every open window's summary now (shutdown, tests). */
export async function flushRefusalWindows(ctx: Pick<ServiceContext, "db">): Promise<void> {
  const byKey = windows.get(ctx.db);
  if (byKey) await Promise.all([...byKey.values()].map((w) => w.close()));
}
