import "server-only";
import type { PrismaClient } from "@/lib/db/types";
import type { ServiceContext } from "@/lib/context";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { recordAuditAlone } from "@/lib/audit/service";
import { flipTenant, rehomeTenant } from "@/lib/tenants/service";
import { expireApprovals } from "@/lib/approvals/service";
import { defineOperation, type LoadedOperation, type OperationStore, type RegisteredOperation, type StepDefinition } from "@/lib/engine/operation";
import type { OperationPhase } from "@/lib/engine/types";
import { preflight } from "./preflight";
import { STEP_KEYS, STEP_LABELS, writePauseMs, type MoveStep, type StepKey } from "./steps";
import { ACTIVE_STATES, RUNNABLE_STATES, transitionMove, type MoveState } from "./state-machine";

// T3: a tenant move as an operation of the engine (lib/engine): its steps, its rollback, and its
// store (the `moves` table through the move's state machine). Every step is idempotent, so a move
// interrupted anywhere (console killed) resumes by running its current step again. Not to be
// confused with ./operations.ts, the request operations (routes and actions) that create moves.

export const MOVE_KIND = "move";

type MoveRow = Awaited<ReturnType<PrismaClient["move"]["findUniqueOrThrow"]>>;
/** A move as its steps need it: the row and the tenant's slug (the federation's name for it). */
export type MoveRun = MoveRow & { slug: string };

export interface MoveOperationOptions {
  /** Moves running at once (MOVE_CONCURRENCY; default 2). */
  concurrency?: number;
  /** How long catch-up waits for the target to apply the source's writes (default 30 s). */
  catchUpTimeoutMs?: number;
}

/** The engine's phases are a subset of a move's states, with the same names. */
const STATE_OF: Record<OperationPhase, MoveState> = {
  queued: "queued",
  running: "running",
  rolling_back: "rolling_back",
  completed: "completed",
  rolled_back: "rolled_back",
  failed: "failed",
};
const isPhase = (s: MoveState): s is OperationPhase => Object.hasOwn(STATE_OF, s);

/** Moves live in `moves`; every change of their state goes through the move's state machine. */
export const moveStore: OperationStore<MoveRun> = {
  async runnable(ctx, limit) {
    const rows = await ctx.db.move.findMany({
      where: { state: { in: [...RUNNABLE_STATES] } },
      orderBy: { createdAt: "asc" },
      take: limit,
      select: { id: true },
    });
    return rows.map((m) => m.id);
  },
  async load(ctx, id): Promise<LoadedOperation<MoveRun>> {
    const m = await ctx.db.move.findUniqueOrThrow({ where: { id } });
    if (!isPhase(m.state)) throw new Error(`move ${id} is ${m.state}: not for the engine`);
    const tenant = await ctx.db.tenant.findUniqueOrThrow({ where: { id: m.tenantId }, select: { slug: true } });
    return { op: { ...m, slug: tenant.slug }, phase: m.state, steps: m.steps as unknown as MoveStep[], error: m.error };
  },
  async save(ctx, id, from, to, change) {
    // The tenant's write pause, once known (fence start → flip, or → the end of a rollback).
    const pause = writePauseMs(change.steps);
    await transitionMove(ctx.db, id, STATE_OF[from], STATE_OF[to], {
      steps: change.steps as never,
      step: change.step,
      error: change.error,
      finishedAt: change.finishedAt,
      ...(pause !== null ? { writePauseMs: pause } : {}),
    });
  },
};

type StepRun = (ctx: ServiceContext, m: MoveRun, opts: Required<MoveOperationOptions>) => Promise<string>;

/** The steps, in STEP_KEYS order: fence → wait until the target has everything → flip → verify → unfence. */
const RUN: Record<StepKey, StepRun> = {
  async preflight(ctx, m) {
    // Re-checked when the move starts: residency, target health, capacity, drift may have changed since the request.
    const pf = await preflight(ctx, { tenantId: m.tenantId, targetRegionId: m.toRegionId });
    const bad = pf.checks.filter((c) => !c.ok && c.key !== "already_there");
    if (bad.length) throw new Error(bad.map((c) => `${c.label}: ${c.detail}`).join("; "));
    return pf.checks.map((c) => `${c.label}: ${c.detail}`).join(" · ");
  },
  async fence(ctx, m) {
    await ctx.federation.fenceTenant(m.slug, m.fromRegionId, true);
    return `writes of ${m.slug} refused in ${m.fromRegionId}; writes in flight finished`;
  },
  async catch_up(ctx, m, opts) {
    const position = await ctx.federation.writePosition(m.fromRegionId);
    await ctx.db.move.update({ where: { id: m.id }, data: { position } });
    const { waitedMs } = await ctx.federation.waitForPosition(m.fromRegionId, m.toRegionId, position, opts.catchUpTimeoutMs);
    return `${m.toRegionId} applied ${m.fromRegionId}'s writes up to ${position} after ${waitedMs} ms`;
  },
  async flip(ctx, m) {
    await flipTenant(ctx, m.tenantId, m.toRegionId, `move ${m.id}`);
    return `router sends ${m.slug} to ${m.toRegionId}`;
  },
  async verify(ctx, m) {
    const v = await ctx.federation.verifyTenant(m.slug, m.toRegionId);
    if (!v.ok) throw new Error(v.error ?? "verification failed");
    return `read answered by ${v.readBy}, write acknowledged by ${v.writeBy}`;
  },
  async unfence(ctx, m) {
    await ctx.federation.fenceTenant(m.slug, m.fromRegionId, false);
    return `fence in ${m.fromRegionId} released`;
  },
};

/** A fence without an active move that owns it is released (the console died mid-move earlier). */
async function releaseOrphanFences(ctx: ServiceContext): Promise<void> {
  const fences = await ctx.federation.fencedTenants();
  if (fences.length === 0) return;
  const active = await ctx.db.move.findMany({ where: { state: { in: [...ACTIVE_STATES] } } });
  const tenants = await ctx.db.tenant.findMany({ select: { id: true, slug: true } });
  // A tenant served read-only by an open failover (F2) keeps its fence: that failover owns it.
  const failovers = await ctx.db.failover.findMany({ where: { closedAt: null, state: { in: ["queued", "running", "completed"] } }, select: { plan: true } });
  const readOnly = new Set(
    failovers.flatMap((f) =>
      (f.plan as unknown as { slug: string; action: string; toRegionId: string | null }[])
        .filter((p) => p.action === "read_only")
        .map((p) => `${p.slug}@${p.toRegionId}`),
    ),
  );
  for (const f of fences) {
    const t = tenants.find((x) => x.slug === f.tenant);
    if (t && active.some((m) => m.tenantId === t.id)) continue;
    if (readOnly.has(`${f.tenant}@${f.regionId}`)) continue;
    await ctx.federation.fenceTenant(f.tenant, f.regionId, false);
    await recordAuditAlone(ctx.db, {
      actor: SYSTEM_ACTOR,
      action: "tenant.unfence",
      outcome: "succeeded",
      targetType: "tenant",
      targetId: t?.id ?? f.tenant,
      after: { regionId: f.regionId },
      reason: "fence without an active move found at start: released",
    });
  }
}

/** T3: the move as the engine runs it. */
export function moveOperation(options: MoveOperationOptions = {}): RegisteredOperation {
  const opts: Required<MoveOperationOptions> = { concurrency: options.concurrency ?? 2, catchUpTimeoutMs: options.catchUpTimeoutMs ?? 30_000 };
  const steps: StepDefinition<MoveRun>[] = STEP_KEYS.map((key) => ({ key, label: STEP_LABELS[key], run: (ctx, m) => RUN[key](ctx, m, opts) }));
  return defineOperation<MoveRun>({
    kind: MOVE_KIND,
    steps,
    store: moveStore,
    concurrency: opts.concurrency,
    onLeader: releaseOrphanFences,
    // Approvals past their expiry expire, and the moves waiting for them (T5).
    onTick: (ctx) => expireApprovals(ctx.db, ctx.bus).then(() => undefined),
    wakeOn: (ctx, wake) =>
      ctx.bus.on("moves:changed", (e) => {
        if (e.state === "queued") wake();
      }),
    onChange: (ctx, m, phase) => ctx.bus.emit("moves:changed", { moveId: m.id, tenantId: m.tenantId, state: STATE_OF[phase] }),

    /** Back to the source: route back if flipped, then unfence. The tenant is never left fenced. */
    rollback: {
      label: (m) => `Roll back to ${m.fromRegionId}`,
      async run(ctx, m, { steps, why }) {
        const flip = steps.find((s) => s.key === "flip")!;
        if (flip.status === "done" || flip.status === "failed" || flip.status === "running") {
          await flipTenant(ctx, m.tenantId, m.fromRegionId, `rollback of move ${m.id}: ${why}`);
          if (flip.status === "done") flip.status = "undone";
        }
        await ctx.federation.fenceTenant(m.slug, m.fromRegionId, false);
        return `served by ${m.fromRegionId} again; writes accepted`;
      },
    },

    async complete(ctx, m) {
      if (!m.rehome) return;
      const t = await rehomeTenant(ctx, m.tenantId, m.toRegionId, `move ${m.id} completed with re-home: ${m.toRegionId} is now the primary region`);
      ctx.bus.emit("tenants:changed", { tenantIds: [t.id], by: SYSTEM_ACTOR.email, at: Date.now() });
    },
    async onCompleted(ctx, m, steps) {
      await recordAuditAlone(ctx.db, {
        actor: SYSTEM_ACTOR,
        action: "tenant.move",
        outcome: "succeeded",
        targetType: "tenant",
        targetId: m.tenantId,
        before: { servingRegionId: m.fromRegionId },
        after: { servingRegionId: m.toRegionId, moveId: m.id, writePauseMs: writePauseMs(steps) },
        reason: `move ${m.id} completed`,
      });
    },
    async onRolledBack(ctx, m, _steps, why) {
      await recordAuditAlone(ctx.db, {
        actor: SYSTEM_ACTOR,
        action: "tenant.move",
        outcome: "failed",
        targetType: "tenant",
        targetId: m.tenantId,
        after: { moveId: m.id, state: "rolled_back", servingRegionId: m.fromRegionId },
        reason: why,
      });
    },
  });
}
