import "server-only";
import type { PrismaClient } from "@/lib/db/types";
import type { Database } from "@/lib/db/client";
import type { Federation } from "@/lib/federation/types";
import { contextFor, type ServiceContext, type Services } from "@/lib/context";
import type { Worker } from "@/lib/runtime";
import { HealthTracker } from "@/lib/worker-health";
import { SYSTEM_ACTOR } from "@/lib/auth/permissions";
import { recordAuditAlone } from "@/lib/audit/service";
import { flipTenant, rehomeTenant } from "@/lib/tenants/service";
import { preflight } from "@/lib/moves/preflight";
import { STEP_KEYS, writePauseMs, type MoveStep, type StepKey } from "@/lib/moves/steps";
import { ACTIVE_STATES, RUNNABLE_STATES, transitionMove, type MoveChange, type MoveState } from "@/lib/moves/state-machine";
import { StaleTransitionError } from "@/lib/state-machine";
import { expireApprovals } from "@/lib/approvals/service";

// T3: runs tenant moves as persisted state machines. Exactly one orchestrator is active (an
// advisory lock on PostgreSQL; the embedded database has one process). Every step is recorded
// before and after it runs and is idempotent, so after a crash the move resumes at its current
// step or rolls back; a tenant fenced without an active move is unfenced at start.

const LEADER_LOCK = 72_707_003;

export interface OrchestratorOptions {
  concurrency?: number;
  catchUpTimeoutMs?: number;
  /** Tests: stop (as if the process died) right after this step completed. */
  crashAfter?: StepKey;
}

class Crash extends Error {}

export class Orchestrator implements Worker {
  readonly name = "orchestrator";
  private readonly tracker = new HealthTracker(this.name);
  private timer: NodeJS.Timeout | null = null;
  private off: (() => void) | null = null;
  private readonly running = new Map<string, Promise<void>>();
  private leader = false;
  private stopped = false;

  constructor(
    private readonly database: Database,
    private readonly services: Services,
    private readonly opts: OrchestratorOptions = {},
  ) {}

  private get db(): PrismaClient {
    return this.database.prisma;
  }

  private get federation(): Federation {
    return this.services.federation;
  }

  private ctx(requestId: string): ServiceContext {
    return contextFor(this.services, SYSTEM_ACTOR, requestId);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.tracker.start();
    await this.tick();
    this.timer = setInterval(() => void this.tick(), 500);
    this.off = this.services.bus.on("moves:changed", (e) => {
      if (e.state === "queued") void this.tick();
    });
  }

  /** Stops taking new work and waits for the moves in hand to reach their next saved step. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.tracker.stop();
    this.off?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled(this.running.values());
  }

  health() {
    this.tracker.standby = !this.leader;
    return this.tracker.snapshot();
  }

  /** Runs until no move is active (tests and benchmarks). */
  async drain(timeoutMs = 60_000): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      await this.tick();
      await Promise.allSettled(this.running.values());
      const active = await this.db.move.count({ where: { state: { in: [...RUNNABLE_STATES] } } });
      if (active === 0 || this.stopped) return;
      if (Date.now() - t0 > timeoutMs) throw new Error(`moves still active after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.leader) {
        this.leader = await this.database.tryLeaderLock(LEADER_LOCK);
        if (!this.leader) return;
        await this.releaseOrphanFences();
      }
      await expireApprovals(this.db, this.services.bus);
      const limit = this.opts.concurrency ?? 2;
      const due = await this.db.move.findMany({ where: { state: { in: [...RUNNABLE_STATES] } }, orderBy: { createdAt: "asc" }, take: limit * 2 });
      for (const m of due) {
        if (this.running.size >= limit) break;
        if (this.running.has(m.id)) continue;
        const p = this.run(m.id)
          // e.g. the move changed state under it (StaleTransitionError): nothing was overwritten; left as it is.
          .catch((e) => console.error(`[orchestrator] move ${m.id} stopped: ${e instanceof Error ? e.message : String(e)}`))
          .finally(() => this.running.delete(m.id));
        this.running.set(m.id, p);
      }
      this.tracker.ok();
    } catch (e) {
      console.error(`[orchestrator] ${this.tracker.fail(e)}`);
    }
  }

  /** A fence without an active move that owns it is released (the console died mid-move earlier). */
  private async releaseOrphanFences(): Promise<void> {
    const fences = await this.federation.fencedTenants();
    if (fences.length === 0) return;
    const active = await this.db.move.findMany({ where: { state: { in: [...ACTIVE_STATES] } } });
    const tenants = await this.db.tenant.findMany({ select: { id: true, slug: true } });
    for (const f of fences) {
      const t = tenants.find((x) => x.slug === f.tenant);
      if (t && active.some((m) => m.tenantId === t.id)) continue;
      await this.federation.fenceTenant(f.tenant, f.regionId, false);
      await recordAuditAlone(this.db, {
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

  /** Every change of a move's state (and its progress within one) goes through the move's state machine. */
  private async save(id: string, tenantId: string, from: MoveState, to: MoveState, data: MoveChange) {
    await transitionMove(this.db, id, from, to, data);
    this.services.bus.emit("moves:changed", { moveId: id, tenantId, state: to });
  }

  private async run(id: string): Promise<void> {
    const m = await this.db.move.findUniqueOrThrow({ where: { id } });
    const steps = m.steps as unknown as MoveStep[];
    const tenant = await this.db.tenant.findUniqueOrThrow({ where: { id: m.tenantId } });
    const ctx = this.ctx(`move:${id}`);
    let state: MoveState = m.state;
    const persist = async (to: MoveState, extra: MoveChange = {}) => {
      await this.save(id, m.tenantId, state, to, { steps: steps as never, ...extra });
      state = to;
    };

    if (m.state === "rolling_back") return this.rollback(id, steps, tenant.slug, m.fromRegionId, m.error ?? "interrupted", ctx);
    if (m.state === "queued") await persist("running");

    for (const key of STEP_KEYS) {
      const step = steps.find((s) => s.key === key)!;
      if (step.status === "done") continue;
      step.status = "running";
      step.startedAt ??= Date.now();
      await persist("running", { step: key });
      try {
        step.detail = await this.exec(key, m, tenant.slug, ctx);
        step.status = "done";
        step.endedAt = Date.now();
        await persist("running", { step: key, writePauseMs: writePauseMs(steps) });
        if (this.opts.crashAfter === key) throw new Crash(`crash injected after ${key}`);
      } catch (e) {
        if (e instanceof Crash) {
          this.stopped = true;
          return;
        }
        // The move changed state under us: whoever changed it owns it now; do not roll it back.
        if (e instanceof StaleTransitionError) throw e;
        const message = e instanceof Error ? e.message : String(e);
        step.status = "failed";
        step.endedAt = Date.now();
        step.detail = message;
        await persist("rolling_back", { error: `${step.label} failed: ${message}` });
        return this.rollback(id, steps, tenant.slug, m.fromRegionId, `${step.label} failed: ${message}`, ctx);
      }
    }
    const pause = writePauseMs(steps);
    if (m.rehome) {
      const t = await rehomeTenant(ctx, m.tenantId, m.toRegionId, `move ${id} completed with re-home: ${m.toRegionId} is now the primary region`);
      this.services.bus.emit("tenants:changed", { tenantIds: [t.id], by: SYSTEM_ACTOR.email, at: Date.now() });
    }
    await persist("completed", { finishedAt: new Date(), writePauseMs: pause, step: null });
    await recordAuditAlone(this.db, {
      actor: SYSTEM_ACTOR,
      action: "tenant.move",
      outcome: "succeeded",
      targetType: "tenant",
      targetId: m.tenantId,
      before: { servingRegionId: m.fromRegionId },
      after: { servingRegionId: m.toRegionId, moveId: id, writePauseMs: pause },
      reason: `move ${id} completed`,
    });
  }

  private async exec(
    key: StepKey,
    m: { id: string; tenantId: string; fromRegionId: string; toRegionId: string },
    slug: string,
    ctx: ServiceContext,
  ): Promise<string> {
    const f = this.federation;
    switch (key) {
      case "preflight": {
        const pf = await preflight(ctx, { tenantId: m.tenantId, targetRegionId: m.toRegionId });
        const bad = pf.checks.filter((c) => !c.ok && c.key !== "already_there");
        if (bad.length) throw new Error(bad.map((c) => `${c.label}: ${c.detail}`).join("; "));
        return pf.checks.map((c) => `${c.label}: ${c.detail}`).join(" · ");
      }
      case "fence":
        await f.fenceTenant(slug, m.fromRegionId, true);
        return `writes of ${slug} refused in ${m.fromRegionId}; writes in flight finished`;
      case "catch_up": {
        const position = await f.writePosition(m.fromRegionId);
        await this.db.move.update({ where: { id: m.id }, data: { position } });
        const { waitedMs } = await f.waitForPosition(m.fromRegionId, m.toRegionId, position, this.opts.catchUpTimeoutMs ?? 30_000);
        return `${m.toRegionId} applied ${m.fromRegionId}'s writes up to ${position} after ${waitedMs} ms`;
      }
      case "flip":
        await flipTenant(ctx, m.tenantId, m.toRegionId, `move ${m.id}`);
        return `router sends ${slug} to ${m.toRegionId}`;
      case "verify": {
        const v = await f.verifyTenant(slug, m.toRegionId);
        if (!v.ok) throw new Error(v.error ?? "verification failed");
        return `read answered by ${v.readBy}, write acknowledged by ${v.writeBy}`;
      }
      case "unfence":
        await f.fenceTenant(slug, m.fromRegionId, false);
        return `fence in ${m.fromRegionId} released`;
    }
  }

  /** Back to the source: route back if flipped, then unfence. The tenant is never left fenced. */
  private async rollback(id: string, steps: MoveStep[], slug: string, from: string, why: string, ctx: ServiceContext): Promise<void> {
    const m = await this.db.move.findUniqueOrThrow({ where: { id } });
    const rb: MoveStep = steps.find((s) => s.key === "rollback") ?? {
      key: "rollback",
      label: `Roll back to ${from}`,
      status: "running",
      startedAt: Date.now(),
      endedAt: null,
      detail: null,
    };
    if (!steps.includes(rb)) steps.push(rb);
    try {
      const flip = steps.find((s) => s.key === "flip")!;
      if (flip.status === "done" || flip.status === "failed" || flip.status === "running") {
        await flipTenant(ctx, m.tenantId, from, `rollback of move ${id}: ${why}`);
        if (flip.status === "done") flip.status = "undone";
      }
      await this.federation.fenceTenant(slug, from, false);
      for (const s of steps) if (s.status === "pending") s.status = "skipped";
      rb.status = "done";
      rb.endedAt = Date.now();
      rb.detail = `served by ${from} again; writes accepted`;
      await this.save(id, m.tenantId, "rolling_back", "rolled_back", {
        steps: steps as never,
        finishedAt: new Date(),
        writePauseMs: writePauseMs(steps),
        error: why,
        step: null,
      });
      await recordAuditAlone(this.db, {
        actor: SYSTEM_ACTOR,
        action: "tenant.move",
        outcome: "failed",
        targetType: "tenant",
        targetId: m.tenantId,
        after: { moveId: id, state: "rolled_back", servingRegionId: from },
        reason: why,
      });
    } catch (e) {
      rb.status = "failed";
      rb.detail = e instanceof Error ? e.message : String(e);
      // Left as rolling_back: the next tick tries again; the state says a person may be needed.
      await this.save(id, m.tenantId, "rolling_back", "rolling_back", { steps: steps as never, error: `${why}; rollback not finished: ${rb.detail}` });
    }
  }
}
