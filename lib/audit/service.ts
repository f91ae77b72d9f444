import "server-only";
import type { PrismaClient, Tx } from "@/lib/db/types";
import type { Actor } from "@/lib/auth/permissions";
import { GENESIS_HASH, chainHash, storedForm, verifyChain, type ChainBreak, type ChainedContent } from "./chain";
import type { AuditEntryView } from "./types";

export type AuditOutcome = "succeeded" | "refused" | "failed";

export interface AuditInput {
  actor: Actor;
  action: string;
  outcome: AuditOutcome;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  requestId?: string | null;
}

// Any constant: serialises appends so the chain never forks, also across console instances.
const AUDIT_LOCK = 72_707_002;

/**
 * Appends one entry to the chain. Call it inside the transaction of the change it records, so
 * the change and its audit entry commit together or not at all.
 */
export async function recordAudit(tx: Tx, input: AuditInput): Promise<{ seq: bigint; hash: string }> {
  await tx.$queryRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})::text AS locked`);
  const last = await tx.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const at = new Date();
  // The hash covers the content exactly as it will read back from the database.
  const content: ChainedContent = storedForm({
    at: at.toISOString(),
    actorId: input.actor.id,
    actorEmail: input.actor.email,
    actorRole: input.actor.role,
    action: input.action,
    outcome: input.outcome,
    targetType: input.targetType,
    targetId: input.targetId ?? null,
    before: input.before ?? null,
    after: input.after ?? null,
    reason: input.reason ?? null,
    requestId: input.requestId ?? null,
  });
  const hash = chainHash(prevHash, content);
  const row = await tx.auditEntry.create({
    data: {
      at,
      actorId: content.actorId,
      actorEmail: content.actorEmail,
      actorRole: content.actorRole,
      action: content.action,
      outcome: content.outcome,
      targetType: content.targetType,
      targetId: content.targetId,
      before: content.before as never,
      after: content.after as never,
      reason: content.reason,
      requestId: content.requestId,
      prevHash,
      hash,
    },
  });
  // Read back what was stored and check it hashes the same; if not, nothing commits: an entry
  // that could never verify is refused instead of breaking the chain for good.
  if (chainHash(prevHash, contentOf(toView(row))) !== hash) throw new Error(`audit entry ${row.seq} would not verify as stored; refused`);
  return { seq: row.seq, hash };
}

function contentOf(v: AuditEntryView): ChainedContent {
  const { seq: _s, prevHash: _p, hash: _h, ...content } = v;
  return content;
}

/** Records an entry in a transaction of its own (refusals: nothing else is written). */
export async function recordAuditAlone(db: PrismaClient, input: AuditInput) {
  return db.$transaction((tx) => recordAudit(tx, input));
}

export interface AuditQuery {
  targetType?: string;
  targetId?: string;
  action?: string;
  limit?: number;
}

export type { AuditEntryView } from "./types";

export async function listAudit(db: PrismaClient, q: AuditQuery = {}): Promise<AuditEntryView[]> {
  const rows = await db.auditEntry.findMany({
    where: { targetType: q.targetType, targetId: q.targetId, action: q.action },
    orderBy: { seq: "desc" },
    take: Math.min(q.limit ?? 100, 500),
  });
  return rows.map(toView);
}

function toView(r: Awaited<ReturnType<PrismaClient["auditEntry"]["findFirstOrThrow"]>>): AuditEntryView {
  return {
    seq: r.seq.toString(),
    prevHash: r.prevHash,
    hash: r.hash,
    at: r.at.toISOString(),
    actorId: r.actorId,
    actorEmail: r.actorEmail,
    actorRole: r.actorRole,
    action: r.action,
    outcome: r.outcome,
    targetType: r.targetType,
    targetId: r.targetId,
    before: r.before,
    after: r.after,
    reason: r.reason,
    requestId: r.requestId,
  };
}

export interface ChainVerification {
  /** Entries checked in this run. */
  checked: number;
  /** Entries in the log. */
  entries: number;
  /** The first break (null when the chain holds), then every break found. */
  break: ChainBreak | null;
  breaks: ChainBreak[];
  /** Where this run started: after a verified checkpoint (incremental) or from the genesis (full). */
  mode: "full" | "incremental";
  verifiedThrough: string | null;
}

// The last entry a full or incremental run found intact, per database: later runs start after
// it instead of re-reading the whole log on every page load. A full run re-checks everything.
const checkpoints = new WeakMap<object, { seq: bigint; hash: string }>();
const BATCH = 5000;

export async function verifyAuditChain(db: PrismaClient, opts: { full?: boolean } = {}): Promise<ChainVerification> {
  const cp = opts.full ? undefined : checkpoints.get(db);
  const total = await db.auditEntry.count();
  let after = cp?.seq ?? 0n;
  let prev = { hash: cp?.hash ?? GENESIS_HASH };
  let checked = 0;
  const breaks: ChainBreak[] = [];
  let last: { seq: bigint; hash: string } | null = cp ?? null;
  for (;;) {
    const rows = await db.auditEntry.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: BATCH });
    if (rows.length === 0) break;
    breaks.push(...verifyChain(rows.map(toView), prev));
    checked += rows.length;
    const tail = rows[rows.length - 1];
    after = tail.seq;
    prev = { hash: tail.hash };
    last = { seq: tail.seq, hash: tail.hash };
  }
  if (breaks.length === 0 && last) checkpoints.set(db, last);
  else if (breaks.length) checkpoints.delete(db);
  return {
    checked,
    entries: total,
    break: breaks[0] ?? null,
    breaks,
    mode: cp ? "incremental" : "full",
    verifiedThrough: breaks.length === 0 && last ? last.seq.toString() : null,
  };
}

/** T7: how many residency violations the console has refused. */
export async function countResidencyViolationsPrevented(db: PrismaClient): Promise<number> {
  return db.auditEntry.count({ where: { outcome: "refused", after: { path: ["refusal"], equals: "residency_violation" } } });
}
